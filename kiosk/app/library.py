"""The music library as staff see it: the one-line summary of a scan, shared by `kiosk scan` and the staff
screen's "Rescan music" (the same words in both places, computed from the figures, never parsed from text)."""

from __future__ import annotations

from kiosk.app.ports import ScanFigures


def scan_summary(report: ScanFigures) -> str:
    """E.g. "Songs: 120 (3 new, 0 removed, 1 moved or renamed; 4 files read, 116 unchanged)"."""
    return (
        f"Songs: {report.songs} ({report.added} new, {report.removed} removed, {report.moved} moved or renamed; "
        f"{report.read} files read, {report.unchanged} unchanged)"
    )
