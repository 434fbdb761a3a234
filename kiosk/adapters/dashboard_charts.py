"""The staff screen's dashboard over the data folder (implements :class:`kiosk.app.ports.DashboardSource`): the
report computed from the rollups with residents by name (the home's own staff screen), and its charts as PNGs
sized for the kiosk screen. Rendering takes a fraction of a second: call it off the Kivy main thread.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.report_build import compute, make_labels
from kiosk.domain.report import Period, Report

SCREEN_IN = (7.6, 3.6)  # at 100 dpi: 760 x 360 px, fits the 800 x 480 screen under a title bar


class DashboardFiles:
    """Reports and chart PNGs for the staff screen from ``data_dir`` (each call opens its own DataFolder, so a
    worker thread never shares the UI thread's)."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)

    def report(self, period: Period, resident_id: str | None, today: date | None) -> Report:
        data = DataFolder(self.data_dir)
        return compute(
            data,
            period,
            make_labels(data, pseudonymised=False),
            only=[resident_id] if resident_id else None,
            today=today,
        )

    def label(self, resident_id: str) -> str:
        return make_labels(DataFolder(self.data_dir), pseudonymised=False).label(resident_id)

    def charts(self, report: Report, period: str, out_dir: Path, resident_id: str | None) -> list[Path]:
        """Home-wide without ``resident_id`` (time of day, and minutes per day for "7d"); one resident's charts
        with it (``resident_id`` is the opaque id the UI holds)."""
        import matplotlib  # here, not at import: the kiosk starts ~2 s sooner and ~40 MB smaller without it

        with matplotlib.rc_context({"font.size": 12}):  # ~3 mm text on a 7" kiosk screen
            return _render(report, period, Path(out_dir), resident_id)


def _render(report: Report, period: str, out_dir: Path, resident_id: str | None) -> list[Path]:
    """The chart list's charts for this period's screen (:mod:`kiosk.adapters.report_charts`), in order."""
    from kiosk.adapters import charts
    from kiosk.adapters.report_charts import Page, charts_for

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    page: Page = "resident" if resident_id else "home"
    figures: Any = report.home
    if resident_id:
        figures = next((r for r in report.residents if r.resident_id == resident_id), None)
        if figures is None or figures.sessions == 0:  # no music in this time (or not recorded): no charts
            return []
    return [
        charts.save_drawing(
            out_dir / f"dash-{period}-{page}-{spec.dash_name}.png",
            spec.draw,
            spec.figure(figures),
            report.home.period,
            spec.title,
            SCREEN_IN,
        )
        for spec in charts_for(period, page, figures)
    ]
