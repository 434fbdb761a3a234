"""PNG export of a report's charts: the home's, then each resident's (file names carry only the label slug,
which is the resident's code when pseudonymised)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.adapters import charts
from kiosk.adapters.trend_charts import save_trends_png
from kiosk.domain.report import Period, Report, ResidentFigures


def write_pngs(
    folder: Path, report: Report, slug: Callable[[str], str], *, one_resident: bool = False
) -> list[Path]:
    """Every chart of the report; ``one_resident``: that resident's only (no home charts)."""
    home = report.home
    period = home.period
    out: list[Path] = []
    if one_resident:
        for f in report.residents:
            out += _resident_pngs(folder, period, f, slug(f.resident_id))
        return out
    out = [
        charts.save_png(
            folder / "home-minutes.png",
            lambda ax: charts.draw_minutes(ax, period, home.minutes_by_day, home.minutes_by_week),
        ),
        charts.save_heatmap_png(folder / "home-when-music-is-played.png", home.heatmap),
    ]
    for f in report.residents:
        out += _resident_pngs(folder, period, f, slug(f.resident_id))
    return out


def _resident_pngs(folder: Path, period: Period, f: ResidentFigures, name: str) -> list[Path]:
    """One resident's charts (minutes, time of day, songs, weekly trends as small multiples, and
    observations when there are some). None for a resident not recorded by choice."""
    if f.not_recorded:
        return []
    trends = folder / f"{name}-week-by-week.png"
    save_trends_png(trends, f, period)
    out = [
        trends,
        charts.save_png(
            folder / f"{name}-minutes.png",
            lambda ax: charts.draw_minutes(ax, period, f.minutes_by_day, f.minutes_by_week),
        ),
        charts.save_png(
            folder / f"{name}-time-of-day.png", lambda ax: charts.draw_hours(ax, f.minutes_by_hour)
        ),
        charts.save_png(
            folder / f"{name}-songs.png", lambda ax: charts.draw_songs(ax, f), size_in=(6.0, 2.6)
        ),
    ]
    if f.observations:
        out.append(
            charts.save_png(
                folder / f"{name}-observations.png",
                lambda ax: charts.draw_scales(ax, f.observations, period),
            )
        )
    return out
