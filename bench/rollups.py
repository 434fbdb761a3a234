"""Adding a session rollup as the month grows (issue 17): 100 vs 3,000 sessions already in the month.

Now: ``RollupStore.add`` appends one line to the month's log. Baseline (today's behaviour before this work, in
the same run): the month as one TinyDB document store, read and rewritten whole by every add (a locked
``DataFolder.write`` of a plain store holding the same sessions: what ``RollupStore.add`` used to do).
Target: the cost of an add at 3,000 sessions within 1.5x of the cost at 100 (constant time). Each rollup is
realistic (15 plays). A second pass pins the process to one core (``sched_setaffinity``, like ``taskset -c 0``).
On a real disk (fsyncs included). Run: ``.venv/bin/python bench/rollups.py``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.journal import scratch_dir  # noqa: E402
from kiosk.adapters.docstore import DataFolder  # noqa: E402
from kiosk.adapters.rollups import RollupStore  # noqa: E402

ADDS = 20  # baseline adds per month size (each rewrites up to 7 MB)
REPEATS = 5  # "now" is measured 5 times (ADDS each), best kept: a 0.3 ms add is at the timer's noise


def rollup(i: int) -> dict[str, object]:
    return {
        "session_id": f"session-{i:06d}-5f0c3d2e-7f7e-4c5b-9c1e",
        "kiosk_id": "lounge-1",
        "started_at": f"2026-06-{1 + i % 28:02d}T10:{i % 60:02d}:00+00:00",
        "ended_at": f"2026-06-{1 + i % 28:02d}T10:59:00+00:00",
        "resident_ids": ["a3c1f0e2-1b2c-4d5e-8f90-1234567890ab"],
        "mode": "listen",
        "clock_ok": True,
        "plays": [
            {
                "song_id": f"{k:016x}",
                "outcome": "completed",
                "listened_s": 180.0,
                "liked": k % 5 == 0,
                "at": f"2026-06-01T10:{k * 3:02d}:00Z",
                "reason": "from their teens",
            }
            for k in range(15)
        ],  # fmt: skip
    }


def timed_adds(add, start: int, repeats: int = 1) -> tuple[float, float]:  # -> best (ms wall, ms cpu) per add
    runs = []
    for r in range(repeats):
        docs = [rollup(start + r * ADDS + i) for i in range(ADDS)]
        wall, cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            add(doc)
        runs.append(((time.perf_counter() - wall) / ADDS * 1e3, (time.process_time() - cpu) / ADDS * 1e3))
    return min(w for w, _ in runs), min(c for _, c in runs)


def old_add(data: DataFolder, doc: dict[str, object]) -> None:
    """What RollupStore.add did before: the whole month read and rewritten."""
    with data.write("baseline-2026-06") as db:
        table = db.table("sessions")
        table.remove(lambda d: d.get("session_id") == doc["session_id"])
        table.insert(dict(doc))


def measure(tmp: Path, n: int) -> dict[str, tuple[float, float]]:
    data = DataFolder(tmp / f"data-{n}")
    store = RollupStore(data)
    for i in range(n):
        store.add(rollup(i))
    with data.write("baseline-2026-06") as db:
        db.table("sessions").insert_multiple(rollup(i) for i in range(n))
    now = timed_adds(store.add, n, REPEATS)
    before = timed_adds(lambda d: old_add(data, d), n)
    assert sum(1 for _ in store.sessions()) == n + REPEATS * ADDS
    size = sum(p.stat().st_size for p in data.root.glob("rollups-*")) / 1e6
    return {"now": now, "before": before, "mb": (size, size)}


def report(label: str, fig: dict[int, dict[str, tuple[float, float]]]) -> None:
    print(f"\n{label}")
    print(
        f"{'ms per add (wall / cpu)':36} {'100 sessions':>16} {'3,000 sessions':>16} {'3,000 / 100 (cpu)':>18}  target"
    )
    for key, name in (
        ("now", "now: append to the month's log"),
        ("before", "baseline: whole month rewritten"),
    ):
        small, big = fig[100][key], fig[3000][key]
        ratio = big[1] / max(small[1], 1e-9)
        target = f"<= 1.5x {'OK' if ratio <= 1.5 else 'MISSED'}" if key == "now" else "-"
        print(
            f"{name:36} {small[0]:7.2f} /{small[1]:7.2f} {big[0]:7.2f} /{big[1]:7.2f} {ratio:17.2f}x  {target}"
        )
    print(f"{'month on disk (MB)':36} {fig[100]['mb'][0]:16.2f} {fig[3000]['mb'][0]:16.2f}")


def main() -> int:
    tmp = scratch_dir()
    try:
        figures = {n: measure(tmp / "all", n) for n in (100, 3000)}
        report("all cores", figures)
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {0})
            report("single core (pinned to core 0)", {n: measure(tmp / "one", n) for n in (100, 3000)})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nShared machine: wall times wait for a core; compare the CPU column and the same-run ratios.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
