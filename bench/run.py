"""`make bench`: run every benchmark script in bench/ and print their tables one after another.

Each script prints its own figures side by side with a baseline measured in the same run (ratios, not
absolute times: these machines are noisy). Run one alone with ``.venv/bin/python bench/NAME.py``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(p for p in here.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))
    only = set(sys.argv[1:])
    failed = []
    for script in scripts:
        if only and script.stem not in only:
            continue
        print(f"\n=== bench/{script.name} ===", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"(bench/{script.name}: exit {rc}, {time.perf_counter() - start:.1f} s)", flush=True)
        if rc:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
