"""The staff screen's "Today" and "Last 7 days": the report's numbers and charts, sized for the kiosk screen.

The UI calls these off the main loop (rendering takes a fraction of a second) and shows the PNGs with a Kivy
``Image``. The report and the drawing come through :class:`kiosk.app.ports.DashboardSource`
(:class:`kiosk.adapters.dashboard_charts.DashboardFiles`); the wording is the UI's
(:func:`kiosk.ui.dashboard_text.dashboard_from_figures`, injected as ``present``). Residents are shown by name:
this is the home's own staff screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, cast

from kiosk.app.ports import DashboardSource
from kiosk.app.staff_api import Dashboard, dashboard_run_dir
from kiosk.domain.report import Period, Report, ResidentFigures
from kiosk.domain.report_text import minutes_text

DashPeriod = Literal["today", "7d"]


@dataclass
class ResidentNumbers:
    """One resident's numbers on the staff screen (empty when they had no music in the period)."""

    label: str = ""
    sessions: int = 0
    minutes_text: str = ""
    songs_liked: int = 0
    songs_skipped: int = 0
    songs_distress: int = 0
    top_songs: list[str] = field(default_factory=list)
    what_works: list[str] = field(default_factory=list)
    proposal: str = ""  # a calm-ahead relax slot waiting to be accepted ("14:30-15:30 relax"), or ""


@dataclass
class DashboardFigures:
    """The staff screen's numbers for the whole home, and one resident's when asked (strings ready to show,
    and raw numbers)."""

    period: str  # "today" | "7d"
    start: date
    end: date
    residents_active: int
    sessions: int
    minutes: float
    minutes_text: str
    not_seen: list[str]  # residents with no music lately, by label
    most_loved: list[str]  # song titles
    untrusted_sessions: int
    resident: ResidentNumbers | None = None


# figures, chart paths, period, resident_id -> what the staff screen shows (translated by the UI)
Present = Callable[[DashboardFigures, Sequence[Path], str, "str | None"], Dashboard]


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


def _resident_numbers(f: ResidentFigures | None) -> ResidentNumbers:
    if f is None:
        return ResidentNumbers(minutes_text=minutes_text(0.0))
    return ResidentNumbers(
        label=f.label,
        sessions=f.sessions,
        minutes_text=minutes_text(f.minutes),
        songs_liked=f.songs_liked,
        songs_skipped=f.songs_skipped,
        songs_distress=f.songs_distress,
        top_songs=[s.title for s in f.top_songs],
        what_works=[x.text for x in f.what_works],
        proposal=next((str(v) for x in f.what_works for k, v in x.numbers if k == "slot"), ""),
    )


def figures_of(report: Report, period: DashPeriod, resident_id: str | None = None) -> DashboardFigures:
    """The staff screen's numbers from a report already built."""
    home = report.home
    resident = None
    if resident_id:
        resident = _resident_numbers(
            next((r for r in report.residents if r.resident_id == resident_id), None)
        )
    return DashboardFigures(
        period=period,
        start=home.period.start,
        end=home.period.end,
        residents_active=home.residents_active,
        sessions=home.sessions,
        minutes=round(home.minutes, 1),
        minutes_text=minutes_text(home.minutes),
        not_seen=[label for _rid, label, _last in home.idle_residents],
        most_loved=[s.title for s in home.most_loved[:5]],
        untrusted_sessions=home.untrusted_sessions,
        resident=resident,
    )


def dashboard_figures(
    source: DashboardSource, period: DashPeriod, resident_id: str | None = None, today: date | None = None
) -> DashboardFigures:
    """The staff screen's numbers (builds the report: :func:`build_dashboard` builds it once for both)."""
    return figures_of(_report(source, period, resident_id, today), period, resident_id)


def render_dashboard(
    source: DashboardSource,
    period: DashPeriod,
    out_dir: Path,
    resident_id: str | None = None,
    today: date | None = None,
) -> list[Path]:
    """Render the staff screen's charts as PNGs into ``out_dir``; returns their paths (in display order).

    Home-wide without ``resident_id``, one resident's charts with it (``resident_id`` is the opaque id the UI
    holds); which charts: the chart list (:mod:`kiosk.adapters.report_charts`). Figures: :func:`figures_of`.
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
    """The staff screen's figures and charts from the data folder's rollups (worker thread): the report is
    built once, for both."""
    if period not in ("today", "7d"):
        raise ValueError(f"period must be 'today' or '7d', not {period!r}")
    which = cast(DashPeriod, period)
    report = _report(source, which, resident_id, today)
    figures = figures_of(report, which, resident_id)
    if figures.resident is not None and resident_id and not figures.resident.label:
        # no music in this time: still say who it is about
        figures.resident = replace(figures.resident, label=source.label(resident_id))
    charts = source.charts(report, period, dashboard_run_dir(out_dir), resident_id)
    return present(figures, charts, period, resident_id)
