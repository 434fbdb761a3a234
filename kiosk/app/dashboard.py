"""The staff screen's "Today" and "Last 7 days": the report's numbers and charts, sized for the kiosk screen.

The UI calls these off the main loop (rendering takes a fraction of a second) and shows the PNGs with a Kivy
``Image``. The report and the drawing come through :class:`kiosk.app.ports.DashboardSource`
(:class:`kiosk.adapters.dashboard_charts.DashboardFiles`); the wording is the UI's
(:func:`kiosk.ui.dashboard_text.dashboard_from_figures`, injected as ``present``). Residents are shown by name:
this is the home's own staff screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from kiosk.app.ports import DashboardSource
from kiosk.app.staff_api import Dashboard, dashboard_run_dir
from kiosk.domain.report import Period, Report
from kiosk.domain.report_text import minutes_text

DashPeriod = Literal["today", "7d"]
# figures, chart paths, period, resident_id -> what the staff screen shows (translated by the UI)
Present = Callable[[Mapping[str, Any], Sequence[Path], str, "str | None"], Dashboard]


def _period(period: DashPeriod, today: date) -> Period:
    if period == "today":
        return Period(today, today)
    if period == "7d":
        return Period(today - timedelta(days=6), today)
    raise ValueError(f"period must be 'today' or '7d', not {period!r}")


def _report(
    source: DashboardSource, period: DashPeriod, resident_id: str | None, today: date | None
) -> Report:
    return source.report(_period(period, today or date.today()), resident_id, today)


def dashboard_figures(
    source: DashboardSource, period: DashPeriod, resident_id: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """Plain figures for the staff screen (strings ready to show, and raw numbers)."""
    report = _report(source, period, resident_id, today)
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
            "what_works": [x.text for x in f.what_works] if f else [],
            "proposal": next(
                (str(v) for x in (f.what_works if f else []) for k, v in x.numbers if k == "slot"), ""
            ),
        }
    return out


def render_dashboard(
    source: DashboardSource,
    period: DashPeriod,
    out_dir: Path,
    resident_id: str | None = None,
    today: date | None = None,
) -> list[Path]:
    """Render the staff screen's charts as PNGs into ``out_dir``; returns their paths (in display order).

    Home-wide without ``resident_id`` (time of day, and minutes per day for "7d"); one resident's charts with it
    (``resident_id`` is the opaque id the UI holds). Figures: :func:`dashboard_figures`.
    """
    return source.charts(_report(source, period, resident_id, today), period, Path(out_dir), resident_id)


def build_dashboard(
    source: DashboardSource,
    present: Present,
    period: str,
    resident_id: str | None,
    out_dir: Path,
    today: date | None = None,
) -> Dashboard:
    """The staff screen's figures and charts from the data folder's rollups (worker thread)."""
    if period not in ("today", "7d"):
        raise ValueError(f"period must be 'today' or '7d', not {period!r}")
    which = cast(DashPeriod, period)
    figures = dashboard_figures(source, which, resident_id, today)
    if resident_id and not figures["resident"]["label"]:  # no music in this time: still say who it is about
        figures["resident"]["label"] = source.label(resident_id)
    charts = render_dashboard(source, which, dashboard_run_dir(out_dir), resident_id, today)
    return present(figures, charts, period, resident_id)
