"""Crash loop: seeded SIGKILLs over the composed kiosk writing into a real data folder, with real
`kiosk residents import` and `kiosk backup` commands running meanwhile (issue 14). Prints the figures: kills,
corrupt stores, acknowledged events lost, duplicate seq numbers, unclosed sessions, failed backups/imports.
Every figure but kills must be 0. The baseline is the number of kills itself (each one a chance to lose).
Single core (``taskset -c 0``): 5 kills again in a pinned child (the same figures, and seconds per kill).

Usage: .venv/bin/python bench/crashloop.py [--kills 200] [--seed 14]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

from bench._single_core import print_pinned  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--pinned", action="store_true", help="(the single-core child of print_pinned)")
    args = ap.parse_args()
    from tests.storage.crash_loop import run_crash_loop

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="encore-crashloop-") as tmp:
        f = run_crash_loop(Path(tmp), args.kills, args.seed, say=lambda s: print(s, flush=True))
    took = time.perf_counter() - start
    print(f"{'figure':<32}{'value':>8}  target")
    rows = [
        ("kills (SIGKILL at seeded moments)", f.kills, f">= {args.kills}"),
        ("events acknowledged", f.acknowledged, ""),
        ("corrupt stores", f.corrupt, "0"),
        ("acknowledged events lost", f.lost, "0"),
        ("duplicate seq numbers", f.duplicates, "0"),
        ("sessions", f.sessions, ""),
        ("  resumed after a kill", f.resumed, ""),
        ("  closed 'shutdown' at next start", f.closed_shutdown, ""),
        ("  unclosed", f.unclosed, "0"),
        ("backups run meanwhile", f.backups, ""),
        ("  failed", f.failed_backups, "0"),
        ("imports run meanwhile", f.imports, ""),
        ("  failed", f.failed_imports, "0"),
    ]
    for name, value, target in rows:
        print(f"{name:<32}{value:>8}  {target}")
    ok = not (f.corrupt or f.lost or f.duplicates or f.unclosed or f.failed_backups or f.failed_imports)
    print(f"{'OK' if ok else 'MISSED'} in {took:.0f} s ({took / max(1, f.kills):.2f} s per kill)")
    for problem in f.problems[:20]:
        print("  " + problem)
    print_pinned(__file__, "--kills", "5", "--seed", str(args.seed))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
