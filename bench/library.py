"""Libraries past 10,000 songs (issue 17): every figure at 20,000 songs, beside a baseline of the same run.

Targets at 20,000 songs:
- first scan <= 1.5x a bare ``mutagen.File`` loop over the same files (CPU time of each);
- rescan of the unchanged library <= 1 s (CPU; wall printed beside it);
- catalogue load (``TinyCatalogue(...).songs()`` in a fresh process) <= 0.5 s (CPU);
- a playlist of 50 over that catalogue with a year of history: <= 50 ms warm, <= 150 ms cold (first call in a
  fresh process), CPU;
- kiosk cold start (``kiosk run`` spawned -> first screen shown, READY) <= 1.5x (a bare Kivy app's cold start +
  the catalogue load), wall, median of 3 alternating runs;
- kiosk RSS after the first screen, once the warm-up thread has loaded the catalogue and built its columns
  (read from 2 s after until it stops growing) <= 200 MB, beside a bare Kivy app's.

The load and playlist figures are printed a second time from a child pinned to one core (``taskset -c 0``, the
closest this machine gets to a Pi's slower cores). ``--large`` repeats everything at 50,000 and 100,000 songs
(~15 minutes more) to show the growth: each figure per song against the 20,000 one (1.0 = linear).

The machine is shared (up to 8 helpers on 2 cores): wall times are noisy, so the targets are judged on CPU
time and on ratios measured in the same run. Files are made by copying small tagged MP3s and retagging them
(bench/scan.py's ``make_library``). Run: ``.venv/bin/python bench/library.py [--large] [--sizes N,...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scan import bare_mutagen_loop, make_library  # noqa: E402
from bench.ui import run_one  # noqa: E402
from kiosk.adapters.docstore import DataFolder  # noqa: E402
from kiosk.adapters.library_scan import scan_library  # noqa: E402
from kiosk.doctor.audio import plugin_cache_problem  # noqa: E402

TASKSET = ["taskset", "-c", "0"] if shutil.which("taskset") else []

# A fresh process: load the catalogue, then (``playlist``) choose 50 songs with a year of history.
CHILD = r"""
import json, random, sys, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
out = {}
wall, cpu = time.perf_counter(), time.process_time()
songs = TinyCatalogue(DataFolder(Path(sys.argv[2]))).songs()
out["load_cpu"], out["load_wall"] = time.process_time() - cpu, time.perf_counter() - wall
out["songs"] = len(songs)
if sys.argv[1] == "playlist":
    from kiosk.domain.models import Mode, Resident
    from kiosk.domain.selection import select_playlist
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    rng = random.Random(1)
    res = Resident(resident_id="b3c5a3f0-0000-4000-8000-000000000001", staff_id="R-001", first_name="Ada",
                   birth_year=1935, favourite_artists=("Artist 0001",), favourite_genres=("Swing",),
                   avoid_artists=("Artist 0003",), avoid_keywords=("war", "funeral"))
    ids = [s.song_id for s in songs]
    plays = [{"song_id": rng.choice(ids), "outcome": rng.choice(["completed", "completed", "skipped"]),
              "listened_s": rng.choice([5.0, 60.0, 180.0]), "liked": rng.random() < 0.1,
              "at": (now - timedelta(days=d, hours=s * 5, minutes=k * 3)).isoformat().replace("+00:00", "Z")}
             for d in range(365) for s in range(2) for k in range(12)]
    history = {res.resident_id: plays}
    def pick():
        c = time.process_time()
        select_playlist(songs, [res], mode=Mode.LISTEN, count=50, rng=random.Random(7), now=now, history=history)
        return time.process_time() - c
    out["cold_cpu"] = pick()
    out["warm_cpu"] = min(pick() for _ in range(8))
    if sys.argv[1] == "playlist":
        # what the kiosk does: prepare() on a thread after start-up, then the first playlist of a session
        import subprocess
        code = ("import json, sys, time; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
                "from kiosk.adapters.catalogue import TinyCatalogue; from kiosk.adapters.docstore import DataFolder; "
                "from kiosk.domain.selection import prepare; songs = TinyCatalogue(DataFolder(Path(sys.argv[1]))).songs(); "
                "c = time.process_time(); prepare(songs); print(json.dumps(time.process_time() - c))")
        got = subprocess.run([sys.executable, "-c", code, sys.argv[2], sys.argv[3]], capture_output=True, text=True)
        out["prepare_cpu"] = float(got.stdout.strip() or "nan")
    c = time.process_time()
    total = 0
    for s in songs:
        total += s.year or 0
    out["pass_cpu"] = time.process_time() - c
print("JSON:" + json.dumps(out), flush=True)
"""


def child(kind: str, data: Path, pinned: bool = False) -> dict[str, float]:
    cmd = [*(TASKSET if pinned else []), sys.executable, "-c", CHILD, kind, str(data), str(ROOT)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=True)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("JSON:"))
    return json.loads(line[5:])


def kiosk_start(data: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds from spawn to READY, the most RSS MB once it settles after) of a real ``kiosk run``."""
    config = data / "kiosk.toml"
    config.write_text('[audio]\noutput = "dummy"\n')
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "--config", str(config), "run", "--windowed"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("Encore kiosk running"):
                break
        started = time.monotonic() - t0
        # the catalogue loads and its columns are built on a warm-up thread after the first screen: under a
        # heavy load (or at 100,000 songs) that takes longer than 2 s, so RSS is read from 2 s after READY
        # until it has not grown for 3 s (at most 40 s), and the most counts
        rss, grew_at = 0.0, 0.0
        time.sleep(2.0)
        for tick in range(80):
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:") and int(line.split()[1]) / 1024 > rss + 0.25:
                    rss, grew_at = int(line.split()[1]) / 1024, tick * 0.5
            if tick * 0.5 - grew_at >= 3.0:
                break
            time.sleep(0.5)
        return started, rss
    finally:
        proc.terminate()
        proc.wait(60)


def timed(fn):  # -> (result, wall s, cpu s)
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure(n: int, tmp: Path, env: dict[str, str]) -> dict[str, float]:
    music, data_dir = tmp / f"n{n}" / "music", tmp / f"n{n}" / "data"  # (templates beside music)
    t = time.perf_counter()
    make_library(music, n)
    print(f"  made {n:,} tagged MP3 files in {time.perf_counter() - t:.0f} s", flush=True)
    bare_mutagen_loop(music)  # warm the page cache for both sides alike
    (_, count), _bw, bare_cpu = timed(lambda: bare_mutagen_loop(music))
    data = DataFolder(data_dir)
    report, first_wall, first_cpu = timed(lambda: scan_library(data, music))
    assert report.songs == n == count, (report.songs, count, report.unreadable[:3])
    rescans = [timed(lambda: scan_library(DataFolder(data_dir), music)) for _ in range(2)]
    assert all(r[0].read == 0 and not r[0].written for r in rescans)
    shards = sorted((data_dir / "catalogue").glob("shard-*.json"))
    f: dict[str, float] = {
        "bare_cpu": bare_cpu,
        "first_cpu": first_cpu,
        "first_wall": first_wall,
        "rescan_cpu": min(r[2] for r in rescans),
        "rescan_wall": min(r[1] for r in rescans),
        "catalogue_mb": sum(p.stat().st_size for p in shards) / 1e6,
        "largest_shard_mb": max(p.stat().st_size for p in shards) / 1e6,
        "shards": len(shards),
    }
    loads = [child("load", data_dir) for _ in range(2)]
    f["load_cpu"] = min(x["load_cpu"] for x in loads)
    f["load_wall"] = min(x["load_wall"] for x in loads)
    # a cold call happens once per process: the best of 3 fresh processes, as for the load above (one run
    # on this shared machine ranged 90-157 ms within an hour, the code unchanged)
    pls = [child("playlist", data_dir) for _ in range(3)]
    f.update({k: min(p[k] for p in pls) for k in ("cold_cpu", "warm_cpu", "pass_cpu", "prepare_cpu")})
    if TASKSET:
        one = child("playlist", data_dir, pinned=True)
        f.update(load_1c=one["load_wall"], cold_1c=one["cold_cpu"], warm_1c=one["warm_cpu"])
    # cold start: bare Kivy app vs the real kiosk over this catalogue, alternating, median of 3
    scratch = tempfile.mkdtemp(prefix="encore-bench-ui-")
    run_one("bare", env, scratch)  # warm the disk cache
    bare, kiosk, rss, bare_rss = [], [], [], []
    for _ in range(3):
        one = run_one("bare", env, scratch)
        bare.append(one["start_s"])
        bare_rss.append(one["rss_mb"])
        started, mb = kiosk_start(data_dir, env)
        kiosk.append(started)
        rss.append(mb)
    shutil.rmtree(scratch, ignore_errors=True)
    f.update(bare_start=statistics.median(bare), kiosk_start=statistics.median(kiosk), kiosk_rss=max(rss),
             bare_rss=statistics.median(bare_rss))  # fmt: skip
    f["rss_extra"] = f["kiosk_rss"] - f["bare_rss"]  # what the kiosk holds beyond Kivy: what grows with songs
    shutil.rmtree(music, ignore_errors=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    return f


TARGET_SONGS = 20_000  # the targets are set for this size; other sizes show how each figure grows


def verdict(good: bool, n: int = TARGET_SONGS) -> str:
    if n != TARGET_SONGS:  # not judged: the growth table is the check at other sizes
        return "(within)" if good else "(above; set for 20,000)"
    return "OK" if good else "MISSED"


def table(n: int, f: dict[str, float]) -> None:
    print(f"\n{n:,} songs: {f['shards']:.0f} shards, {f['catalogue_mb']:.1f} MB in all, "
          f"largest {f['largest_shard_mb']:.2f} MB")  # fmt: skip
    print(f"{'measure':52} {'value':>10} {'baseline':>10} {'ratio':>7}  target")
    start_base = f["bare_start"] + f["load_wall"]
    rows = [
        ("first scan, CPU s (baseline: bare mutagen loop)", f["first_cpu"], f["bare_cpu"],
         f["first_cpu"] / f["bare_cpu"], f"<= 1.5x {verdict(f['first_cpu'] <= 1.5 * f['bare_cpu'], n)}"),
        ("rescan unchanged, CPU s (wall beside)", f["rescan_cpu"], f["rescan_wall"], None,
         f"<= 1 s {verdict(f['rescan_cpu'] <= 1.0, n)}"),
        ("catalogue load, fresh process, CPU s (wall beside)", f["load_cpu"], f["load_wall"], None,
         f"<= 0.5 s {verdict(f['load_cpu'] <= 0.5, n)}"),
        ("playlist of 50, warm, CPU ms (baseline: 1 linear pass)", f["warm_cpu"] * 1e3, f["pass_cpu"] * 1e3,
         f["warm_cpu"] / max(f["pass_cpu"], 1e-9), f"<= 50 ms {verdict(f['warm_cpu'] <= 0.05, n)}"),
        ("playlist of 50, cold (1st call, best of 3), CPU ms", f["cold_cpu"] * 1e3, f["pass_cpu"] * 1e3,
         f["cold_cpu"] / max(f["pass_cpu"], 1e-9), f"<= 150 ms {verdict(f['cold_cpu'] <= 0.15, n)}"),
        ("  of which the kiosk does at start-up, on a thread, CPU ms", f["prepare_cpu"] * 1e3, None, None,
         "(selection.prepare after the first screen)"),
        ("kiosk cold start s (baseline: bare Kivy + load, wall)", f["kiosk_start"], start_base,
         f["kiosk_start"] / start_base, f"<= 1.5x {verdict(f['kiosk_start'] <= 1.5 * start_base, n)}"),
        ("kiosk RSS MB, settled after 1st screen (base: Kivy)", f["kiosk_rss"], f["bare_rss"],
         f["kiosk_rss"] / f["bare_rss"], f"<= 200 MB {verdict(f['kiosk_rss'] <= 200, n)}"),
    ]  # fmt: skip
    if "load_1c" in f:
        rows += [
            ("single core (taskset -c 0): catalogue load, wall s", f["load_1c"], f["load_wall"], None, "-"),
            ("single core: playlist warm / cold, CPU ms", f["warm_1c"] * 1e3, f["cold_1c"] * 1e3, None, "-"),
        ]
    for name, value, base, ratio, target in rows:
        b = "" if base is None else f"{base:10.2f}"
        r = "" if ratio is None else f"{ratio:6.2f}x"
        print(f"{name:52} {value:10.2f} {b:>10} {r:>7}  {target}")


GROWTH = ["first_cpu", "rescan_cpu", "load_cpu", "warm_cpu", "cold_cpu", "kiosk_start", "rss_extra"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", action="store_true", help="also 50,000 and 100,000 songs (~15 min more)")
    ap.add_argument("--sizes", help="comma-separated song counts instead (e.g. 2000 for a quick look)")
    ap.add_argument("--quick", action="store_true", help="2,000 songs (a smoke run)")
    args = ap.parse_args()
    sizes = [20_000, 50_000, 100_000] if args.large else [20_000]
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]
    elif args.quick:
        sizes = [2_000]
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_NO_CONSOLELOG="1", KIVY_LOG_MODE="PYTHON", KIVY_HOME=tempfile.mkdtemp(prefix="kivy-home-"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    cache = plugin_cache_problem()
    print(f"libvlc plugin cache: {cache or 'present'} (without it the kiosk holds ~38 MB more)")
    tmp = Path(tempfile.mkdtemp(prefix="encore-bench-library-"))
    figures: dict[int, dict[str, float]] = {}
    try:
        for n in sizes:
            print(f"library of {n:,} songs:", flush=True)
            figures[n] = measure(n, tmp, env)
            table(n, figures[n])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if len(sizes) > 1:
        base_n = sizes[0]
        print(f"\ngrowth per song against {base_n:,} songs (1.00 = linear; below 1 = better than linear; "
              "rss_extra: kiosk RSS beyond the bare Kivy app's):")  # fmt: skip
        print(f"{'songs':>9} " + " ".join(f"{k:>11}" for k in GROWTH))
        for n in sizes:
            scale = n / base_n
            cells = [figures[n][k] / max(figures[base_n][k], 1e-9) / scale for k in GROWTH]
            print(f"{n:9,} " + " ".join(f"{c:11.2f}" for c in cells))
    print(
        "\nShared machine: judge by CPU times and same-run ratios; wall times vary with the other helpers' load."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
