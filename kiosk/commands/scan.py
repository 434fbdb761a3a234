"""`kiosk scan [--music-dir DIR]`: index the music folder into the catalogue, report unreadable files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import ScanReport, scan_library
from kiosk.app.library import scan_summary


def register(sub: Any) -> None:
    p = sub.add_parser(
        "scan",
        help="index the music library (progress bar), report unreadable files",
        description="Index the music folder: read tags, work out each song's era, store the catalogue. "
        "Only new or changed files are read again.",
    )
    p.add_argument(
        "--music-dir", metavar="DIR", help="music folder (default: [library] music_dir in kiosk.toml)"
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept a music folder with no music at all (empties the catalogue)",
    )
    p.set_defaults(func=run)


def format_report(report: ScanReport) -> list[str]:
    """The summary lines staff read after a scan."""
    lines = [
        f"Music folder: {report.music_dir}",
        scan_summary(report),
    ]
    if report.per_decade:
        lines.append("Songs per decade:")
        lines.extend(f"  {decade}: {count}" for decade, count in report.per_decade.items())
    lines.append(f"Unknown era: {report.unknown_era}")
    if report.unknown_era:
        lines.append("  (fix with an era.toml file in the folder; see content/README.md)")
    if report.sidecar_problems:
        lines.append(f"Problems in era.toml files: {len(report.sidecar_problems)}")
        lines.extend(f"  {p}" for p in report.sidecar_problems)
    if report.unreadable:
        lines.append(f"Skipped files: {len(report.unreadable)}")
        lines.extend(f"  {path}: {reason}" for path, reason in report.unreadable)
    return lines


def run(args: argparse.Namespace, ctx: Any) -> int:
    music_dir = Path(args.music_dir) if args.music_dir else Path(ctx.config().library.music_dir)
    data = DataFolder(ctx.data_dir)
    bar = None
    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="file", desc="Scanning", file=sys.stderr, leave=False)

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.n = done
            if done == total or done % 25 == 0:
                bar.refresh()

    try:
        report = scan_library(data, music_dir, progress, allow_empty=args.allow_empty)
    finally:
        if bar is not None:
            bar.close()
    for line in format_report(report):
        print(line)
    return 0
