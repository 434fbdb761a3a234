"""`kiosk demo-content [DEST]`: generate the demo library (synthesised, licence-clean) into DEST/music and the
fictional sample residents into DEST/residents."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kiosk.domain.models import decade_of


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo-content",
        help="generate the demo music library (no network; about half a minute)",
        description="Synthesise the demo library (public-domain melodies with their real years, and "
        "labelled demo tunes for later decades) as tagged MP3, Ogg and FLAC files in DEST/music. "
        "Does nothing when an up-to-date library is already there.",
    )
    p.add_argument("dest", nargs="?", metavar="DEST", help="folder to write into (default: DATA_DIR/demo)")
    p.add_argument("--force", action="store_true", help="generate again even when it is up to date")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.demo.generate import generate_demo  # numpy: only when making the demo
    from kiosk.demo.setup import write_demo_residents

    dest = Path(args.dest).expanduser() if args.dest else ctx.data_dir / "demo"
    started = time.perf_counter()
    bar = None
    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="song", desc="Making demo music", file=sys.stderr, leave=False)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        report = generate_demo(dest, force=args.force, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    music = report.music_dir
    if report.skipped:
        print(f"Demo library already up to date: {music} ({len(report.tracks)} songs)")
    else:
        decades = Counter(decade_of(t.year) or "unknown" for t in report.tracks)
        formats = Counter(t.format for t in report.tracks)
        print(f"Demo library: {len(report.tracks)} songs in {music} ({time.perf_counter() - started:.0f} s)")
        print("  decades: " + ", ".join(f"{d} {n}" for d, n in sorted(decades.items())))
        print("  formats: " + ", ".join(f"{f} {n}" for f, n in sorted(formats.items())))
    residents_csv = write_demo_residents(dest / "residents")
    print(f"Sample residents (fictional): {residents_csv}")
    print(f"Next: kiosk scan --music-dir {music}")
    print(f"      kiosk residents import {residents_csv}")
    return 0
