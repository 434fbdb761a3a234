"""`make bench`: run every benchmark script in bench/ and print their tables one after another.

Each script prints its figures beside a baseline measured in the same run, each target with OK / MISSED, and a
single-core figure (``taskset -c 0``). The machine is shared (up to 8 helpers on 2 cores): absolute times are
noisy, the ratios measured within one run are what count. Takes under 15 minutes at a light load (it prints
each bench's wall and CPU time and the load average: on a shared machine wall time grows with the others'
load); ``make bench LONG=1`` (or ``bench/run.py --long``) adds the long runs: libraries of 50,000 and 100,000
songs, the soak's 10,000 transitions instead of 1,500, the crash loop's 200 kills instead of 20, the import
bench's full sizes, the report bench's rebuild and comparison rows, TinyDB's 20 inserts at 100,000 documents.
Run one alone with ``.venv/bin/python bench/NAME.py``; ``bench/run.py NAME...`` runs some.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

SHORT_ARGS = {
    "soak": ["--transitions", "1500"],  # ~4 min of real playback (0.15 s songs); LONG=1: 10,000
    "crashloop": ["--kills", "20"],
    "import": ["--quick"],
    "report": ["--quick"],
}
# --long instead (the full runs); the default run stays within 15 minutes
LONG_ARGS = {
    "library": ["--large"],
    "soak": ["--transitions", "10000"],
    "crashloop": ["--kills", "200"],
    "journal": ["--long"],
}


def _children_cpu_s() -> float:
    """CPU seconds (user + system) of every finished child process so far (the benches and their children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(p for p in here.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))
    args = sys.argv[1:]
    long_runs = "--long" in args
    only = {a for a in args if not a.startswith("--")}
    failed, missed = [], []
    started, cpu_started = time.perf_counter(), _children_cpu_s()
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine)")
    for script in scripts:
        if only and script.stem not in only:
            continue
        print(f"\n=== bench/{script.name} ===", flush=True)
        start, cpu = time.perf_counter(), _children_cpu_s()
        extra = (LONG_ARGS if long_runs else SHORT_ARGS).get(script.stem, [])
        cmd = [sys.executable, str(script), *extra]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(proc.stdout)
        missed += [f"{script.stem}: {line.strip()}" for line in proc.stdout.splitlines() if "MISSED" in line]
        print(
            f"(bench/{script.name}: exit {proc.returncode}, {time.perf_counter() - start:.1f} s wall, "
            f"{_children_cpu_s() - cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        if proc.returncode:
            failed.append(script.name)
    print(f"\nall benches: {(time.perf_counter() - started) / 60:.1f} min wall (target < 15), "
          f"{(_children_cpu_s() - cpu_started) / 60:.1f} min CPU over {os.cpu_count()} cores; load average now "
          f"{os.getloadavg()[0]:.1f} (wall time grows with the other processes' load; CPU time does not)")  # fmt: skip
    print("targets MISSED:" if missed else "targets: every one OK")
    for line in missed:
        print(f"  {line}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
