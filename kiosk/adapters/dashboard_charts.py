"""The staff screen's dashboard over the data folder (implements :class:`kiosk.app.ports.DashboardSource`): the
report computed from the rollups with residents by name (the home's own staff screen), and its charts as PNGs
sized for the kiosk screen. Rendering takes a fraction of a second: call it off the Kivy main thread.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
    from kiosk.adapters import charts

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    p = report.home.period
    prefix = f"dash-{period}"
    paths: list[Path] = []
    if resident_id:
        f = next((r for r in report.residents if r.resident_id == resident_id), None)
        if f is None or f.sessions == 0:  # no music in this time (or not recorded, by choice): no charts
            return paths
        if period == "7d":
            paths.append(
                charts.save_png(
                    out_dir / f"{prefix}-resident-minutes.png",
                    lambda ax: charts.draw_minutes(ax, p, f.minutes_by_day, f.minutes_by_week),
                    SCREEN_IN,
                )
            )
        paths.append(
            charts.save_png(
                out_dir / f"{prefix}-resident-songs.png", lambda ax: charts.draw_songs(ax, f), SCREEN_IN
            )
        )
        paths.append(
            charts.save_png(
                out_dir / f"{prefix}-resident-hours.png",
                lambda ax: charts.draw_hours(ax, f.minutes_by_hour),
                SCREEN_IN,
            )
        )
        return paths
    home = report.home
    if period == "7d":
        paths.append(
            charts.save_png(
                out_dir / f"{prefix}-home-minutes.png",
                lambda ax: charts.draw_minutes(ax, p, home.minutes_by_day, home.minutes_by_week),
                SCREEN_IN,
            )
        )
        paths.append(charts.save_heatmap_png(out_dir / f"{prefix}-home-when.png", home.heatmap, SCREEN_IN))
    else:
        paths.append(
            charts.save_png(
                out_dir / f"{prefix}-home-hours.png",
                lambda ax: charts.draw_hours(ax, home.minutes_by_hour),
                SCREEN_IN,
            )
        )
    return paths
