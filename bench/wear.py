"""SD-card wear (issue 17): bytes written and fsyncs per hour of music, beside today's behaviour in the same run.

An hour of simulated time (a clock the bench moves, pumped at 20 Hz) through the engine and every adapter it
writes through: the journal, the session rollups (writer thread), the resume point, on a real disk (page-cache
``write_bytes`` of ``/proc/self/io`` is 0 on tmpfs). The player is a stand-in that "plays" 3-minute songs, so an
hour takes seconds; sessions end after their default 30 minutes and music starts again at once.

- steady music: nobody touches anything;        target <= 1 MB written and <= 100 fsyncs per hour
- busy: a press every 10 s (likes, volume, pause/resume, next, tune);  target <= 3 MB per hour

Counted: ``write_bytes`` (pages this process dirtied, every file), ``os.fsync``/``os.fdatasync`` calls, and the
bytes of log records at WARNING and above (what would reach a persistent journald). The filesystem's own journal
commits are not in ``write_bytes``: that is why fsyncs are counted too.

The baseline is the same hour run by the code as it was before this work (commit ``BASELINE``, extracted with
``git archive`` into a temp folder and imported from there in a child process), so both columns come from the
same run on the same disk. Run: ``.venv/bin/python bench/wear.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.journal import scratch_dir  # noqa: E402  (a real disk: write_bytes is 0 on tmpfs)

BASELINE = "cb6534e"  # main before issue 17 (resume point every 5 s with fsync)
SINGLE_CORE = ["taskset", "-c", "0"] if shutil.which("taskset") else []

CHILD = r"""
import json, logging, os, random, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.resume import ResumeFile
from kiosk.adapters.rollups import RollupStore, RollupWriter
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Song
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_sources import ShuffleSource
from tests.fakes import FakePlayer

kind, seconds, scratch = sys.argv[2], float(sys.argv[3]), Path(sys.argv[4])

class Clock:
    def __init__(self):
        self.mono, self.start = 0.0, datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    def now(self): return self.start + timedelta(seconds=self.mono)
    def monotonic(self): return self.mono
    def trusted(self): return True

fsyncs = [0]
for name in ("fsync", "fdatasync"):
    real = getattr(os, name)
    def counting(fd, _real=real):
        fsyncs[0] += 1
        return _real(fd)
    setattr(os, name, counting)
logged = [0]
class Counter(logging.Handler):
    def emit(self, record):
        logged[0] += len(self.format(record)) + 1
logging.getLogger().addHandler(Counter(logging.WARNING))

def io():
    got = {}
    for line in open("/proc/self/io"):
        k, v = line.split(":")
        got[k] = int(v)
    return got

clock = Clock()
data_dir = scratch / "data"
data_dir.mkdir(mode=0o700)
songs = [Song(f"t{i}", f"/music/{i}.mp3", f"Song {i}", year=1940 + i % 40, duration_s=180.0) for i in range(40)]
journal = JsonlJournal(data_dir / "events", "bench", clock)
rollups = RollupWriter(RollupStore(DataFolder(data_dir)))
resume = ResumeFile(data_dir)
player = FakePlayer()
engine = SessionEngine(player=player, clock=clock, journal=journal, songs=ShuffleSource(songs, 1), rollups=rollups,
                       resume_store=resume, kiosk_id="bench")
rng = random.Random(7)
played = [0.0, 0.0]
tokens = [0, 0]
before = io()
engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
dt, next_press, resume_at = 0.05, 10.0, None
while clock.mono < seconds:
    clock.mono += dt
    for slot in (0, 1):
        if player.tokens[slot] != tokens[slot]:
            tokens[slot], played[slot] = player.tokens[slot], 0.0
        if player.state[slot] == "playing":
            played[slot] += dt
            if played[slot] >= 180.0:
                player.finish(slot, 180_000)
                played[slot] = -1e9
    if kind == "busy" and clock.mono >= next_press:
        next_press += 10.0
        roll = rng.random()
        if resume_at is None and roll < 0.1 and engine.view().status is Status.PLAYING:
            engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
            resume_at = clock.mono + 10.0
        elif roll < 0.35:
            engine.post(Intent.LIKE, Source.TOUCH)
        elif roll < 0.8:
            engine.post(rng.choice([Intent.VOLUME_UP, Intent.VOLUME_DOWN]), Source.TOUCH)
        elif roll < 0.9:
            engine.post(Intent.NEXT, Source.TOUCH)
        else:
            engine.post(Intent.TUNE_DECADE, Source.DIAL, rng.choice([1, -1]))
    if resume_at is not None and clock.mono >= resume_at:
        engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
        resume_at = None
    if resume_at is None and engine.view().status not in (Status.PLAYING, Status.PAUSED):
        engine.post(Intent.MORE_MUSIC, Source.TOUCH)  # steady music: the next session starts at once
    engine.pump()
rollups.flush()
rollups.close()
journal.close()
after = io()
sessions = sum(1 for _ in RollupStore(DataFolder(data_dir)).sessions())
print("JSON:" + json.dumps({
    "write_bytes": after["write_bytes"] - before["write_bytes"],
    "cancelled": after["cancelled_write_bytes"] - before["cancelled_write_bytes"],
    "fsyncs": fsyncs[0], "log_bytes": logged[0], "sessions": sessions,
    "songs": len(player.starts), "seconds": seconds,
}), flush=True)
"""


def baseline_tree(tmp: Path) -> Path | None:
    """The code of ``BASELINE`` in a temp folder (None without git or the commit)."""
    dest = tmp / "baseline"
    dest.mkdir()
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BASELINE, "kiosk", "tests/fakes.py", "tests/__init__.py"],
            capture_output=True, check=True,
        )  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return dest


def run(tree: Path, kind: str, seconds: float, tmp: Path, pinned: bool = False) -> dict[str, float]:
    scratch = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=tmp))
    cmd = [
        *(SINGLE_CORE if pinned else []),
        sys.executable,
        "-c",
        CHILD,
        str(tree),
        kind,
        str(seconds),
        str(scratch),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=tree)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("JSON:")), None)
    if line is None:
        raise SystemExit(f"wear child failed ({tree}):\n{out.stderr[-3000:]}")
    shutil.rmtree(scratch, ignore_errors=True)
    return json.loads(line[5:])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3600.0, help="simulated seconds per run (3600)")
    ap.add_argument("--quick", action="store_true", help="10 simulated minutes")
    args = ap.parse_args()
    seconds = 600.0 if args.quick else args.seconds
    tmp = scratch_dir()
    try:
        base_tree = baseline_tree(tmp)
        rows = {}
        for kind in ("steady", "busy"):
            rows[kind] = (
                run(ROOT, kind, seconds, tmp),
                run(base_tree, kind, seconds, tmp) if base_tree else None,
            )
        one_core = run(ROOT, "steady", seconds, tmp, pinned=True) if SINGLE_CORE else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per_h = 3600.0 / seconds
    print(f"simulated {seconds / 60:.0f} min per run, scaled to an hour; baseline = commit {BASELINE} "
          f"(before this work){'' if base_tree else ': NOT AVAILABLE (no git)'}")  # fmt: skip
    print(f"{'per hour':44} {'now':>10} {'baseline':>10} {'ratio':>7}  target")
    targets = {("steady", "MB"): 1.0, ("steady", "fsyncs"): 100, ("busy", "MB"): 3.0}
    for kind, (now, base) in rows.items():
        figures = [
            (
                "MB written (write_bytes, every file)",
                now["write_bytes"] / 1e6,
                base and base["write_bytes"] / 1e6,
            ),
            ("fsyncs", now["fsyncs"], base and base["fsyncs"]),
            ("KB of WARNING+ log lines (journald)", now["log_bytes"] / 1e3, base and base["log_bytes"] / 1e3),
        ]
        for label, value, b in figures:
            v, bb = value * per_h, (b * per_h if b is not None else None)
            unit = "MB" if label.startswith("MB") else "fsyncs" if label == "fsyncs" else "log"
            limit = targets.get((kind, unit))
            verdict = f"<= {limit:g} {'OK' if v <= limit else 'MISSED'}" if limit is not None else "-"
            ratio = f"{v / bb:6.2f}x" if bb else ""
            bcol = f"{bb:10.2f}" if bb is not None else f"{'-':>10}"
            print(f"{kind + ': ' + label:44} {v:10.2f} {bcol} {ratio:>7}  {verdict}")
        print(f"{'':44} ({now['songs']} songs, {now['sessions']} session rollups in the run)")
    if one_core is not None:
        print(
            f"single core (taskset -c 0), steady: {one_core['write_bytes'] / 1e6 * per_h:.2f} MB/h, "
            f"{one_core['fsyncs'] * per_h:.0f} fsyncs/h (the same work: wear does not depend on the core)"
        )
    print("write_bytes counts pages dirtied (4 KB each, whatever was written into them), not the filesystem's "
          "own journal commits; fsyncs stand for those.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
