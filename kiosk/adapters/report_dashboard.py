"""The staff screen's "Today" and "Last 7 days": the report's numbers and charts, sized for the kiosk screen.

The UI calls these off the main loop (rendering takes a fraction of a second) and shows the PNGs with a Kivy
``Image``; nothing here imports Kivy. Residents are shown by name: this is the home's own staff screen.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import matplotlib

from kiosk.adapters import charts
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.report_build import compute, make_labels
from kiosk.domain.report import Period, Report
from kiosk.domain.report_text import minutes_text

DashPeriod = Literal["today", "7d"]
SCREEN_IN = (7.6, 3.6)  # at 100 dpi: 760 x 360 px, fits the 800 x 480 screen under a title bar


def _period(period: DashPeriod, today: date) -> Period:
    if period == "today":
        return Period(today, today)
    if period == "7d":
        return Period(today - timedelta(days=6), today)
    raise ValueError(f"period must be 'today' or '7d', not {period!r}")


def _report(data_dir: Path, period: DashPeriod, resident_id: str | None, today: date | None) -> Report:
    data = DataFolder(Path(data_dir))
    return compute(
        data,
        _period(period, today or date.today()),
        make_labels(data, pseudonymised=False),
        only=[resident_id] if resident_id else None,
        today=today,
    )


def dashboard_figures(
    data_dir: Path, period: DashPeriod, resident_id: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """Plain figures for the staff screen (strings ready to show, and raw numbers)."""
    report = _report(data_dir, period, resident_id, today)
    home = report.home
    out: dict[str, Any] = {
        "period": period,
        "from": home.period.start.isoformat(),
        "to": home.period.end.isoformat(),
        "residents_active": home.residents_active,
        "sessions": home.sessions,
        "minutes": round(home.minutes, 1),
        "minutes_text": minutes_text(home.minutes),
        "not_seen": [label for _rid, label, _last in home.idle_residents],
        "most_loved": [s.title for s in home.most_loved[:5]],
        "untrusted_sessions": home.untrusted_sessions,
    }
    if resident_id:
        f = next((r for r in report.residents if r.resident_id == resident_id), None)
        out["resident"] = {
            "label": f.label if f else "",
            "sessions": f.sessions if f else 0,
            "minutes_text": minutes_text(f.minutes if f else 0.0),
            "songs_liked": f.songs_liked if f else 0,
            "songs_skipped": f.songs_skipped if f else 0,
            "songs_distress": f.songs_distress if f else 0,
            "top_songs": [s.title for s in f.top_songs] if f else [],
        }
    return out


def render_dashboard(
    data_dir: Path,
    period: DashPeriod,
    out_dir: Path,
    resident_id: str | None = None,
    today: date | None = None,
) -> list[Path]:
    """Render the staff screen's charts as PNGs into ``out_dir``; returns their paths (in display order).

    Home-wide without ``resident_id`` (time of day, and minutes per day for "7d"); one resident's charts with it
    (``resident_id`` is the opaque id the UI holds). Figures: :func:`dashboard_figures`.
    """
    with matplotlib.rc_context({"font.size": 12}):  # ~3 mm text on a 7" kiosk screen
        return _render(_report(data_dir, period, resident_id, today), period, Path(out_dir), resident_id)


def _render(report: Report, period: DashPeriod, out_dir: Path, resident_id: str | None) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    p = report.home.period
    prefix = f"dash-{period}"
    paths: list[Path] = []
    if resident_id:
        f = next((r for r in report.residents if r.resident_id == resident_id), None)
        if f is None:
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
