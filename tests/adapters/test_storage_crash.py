"""SIGKILL at seeded random moments: every store still opens, no acknowledged event or change is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from kiosk.adapters import attention
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import ReadStats, read_events

REPO = Path(__file__).resolve().parents[2]

# The child appends an event, then says so (flushed); every third event it also updates a store, then says so.
CHILD = r"""
import sys
from pathlib import Path
from kiosk.adapters.clock import SystemClock
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal

root, n = Path(sys.argv[1]), int(sys.argv[2])
data = DataFolder(root)
journal = JsonlJournal(root / "events", "crash-test", SystemClock())
pad = "x" * 400
while True:
    journal.append("like", session_id="s", detail={"n": n})
    print(f"E {n}", flush=True)
    if n % 3 == 0:
        with data.write("state") as db:
            db.table("t").insert({"n": n, "pad": pad})
        print(f"D {n}", flush=True)
    n += 1
"""


def _run_and_kill(script: Path, root: Path, start: int, acks_before_kill: int, delay_s: float) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, str(script), str(root), str(start)], stdout=subprocess.PIPE, env=env, text=True
    )
    assert child.stdout is not None
    lines = []
    try:
        while sum(line.startswith("E") for line in lines) < acks_before_kill:
            line = child.stdout.readline()
            assert line, "child ended before it was killed"
            lines.append(line.strip())
        time.sleep(delay_s)  # the random moment itself: somewhere in the middle of the next writes
        child.send_signal(signal.SIGKILL)
        lines.extend(x.strip() for x in child.stdout.read().splitlines())  # what it acknowledged before dying
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return lines


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path):
    rng = random.Random(20261127)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    root = tmp_path / "data"
    acked_events: set[int] = set()
    acked_docs: set[int] = set()
    start = 0
    for kills in range(1, 21):
        lines = _run_and_kill(script, root, start, rng.randint(1, 40), rng.uniform(0, 0.01))
        events = {int(x.split()[1]) for x in lines if x.startswith("E ")}
        docs = {int(x.split()[1]) for x in lines if x.startswith("D ")}
        acked_events |= events
        acked_docs |= docs
        start = max(events) + 2  # numbers stay unique even if the in-flight event did land

        stats = ReadStats()
        journaled = [e["detail"]["n"] for e in read_events(root / "events", stats=stats)]
        assert len(journaled) == len(set(journaled)), "an event was written twice"
        assert acked_events <= set(journaled), f"lost acknowledged events: {acked_events - set(journaled)}"
        assert len(set(journaled) - acked_events) <= kills  # at most the in-flight one per kill
        seqs = [e["seq"] for e in read_events(root / "events")]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "seq must continue across restarts"

        stored = {d["n"] for d in DataFolder(root).read("state").table("t").all()}  # it opens, undamaged
        assert acked_docs <= stored, f"lost acknowledged changes: {acked_docs - stored}"
        assert len(stored - acked_docs) <= kills
        assert attention.notes(root) == []  # nothing was ever found damaged
    assert len(acked_events) > 100
    # A killed writer may leave a temp file; the next writer of that store sweeps it away.
    with DataFolder(root).write("state") as db:
        db.table("t").insert({"n": -1})
    assert not list(root.glob(".state.json.*.tmp"))
    assert json.loads((root / "state.json").read_text())["t"]
