"""Single-core figures (issue 17): a bench run again in a child pinned to core 0 (``taskset -c 0``), the closest
this 2-core machine gets to a Pi's slower cores. Each bench calls :func:`print_pinned` at its end; the child gets
``--pinned`` and runs a reduced version of the same measure (the parent prints its table, indented)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TASKSET = ["taskset", "-c", "0"] if shutil.which("taskset") else []


def pinned() -> bool:
    """True in the pinned child."""
    return "--pinned" in sys.argv


def print_pinned(script: str, *args: str, timeout_s: float = 900) -> None:
    """Run ``script`` again pinned to core 0 with ``--pinned`` and print its output under a heading."""
    if pinned():
        return
    if not TASKSET:
        print("\nsingle core: taskset not found, not measured")
        return
    out = subprocess.run(
        [*TASKSET, sys.executable, str(Path(script).resolve()), "--pinned", *args],
        capture_output=True, text=True, timeout=timeout_s,
    )  # fmt: skip
    print("\nsingle core (taskset -c 0), reduced run of the same measure:")
    for line in (out.stdout or out.stderr[-2000:]).splitlines():
        print(f"  {line}")
