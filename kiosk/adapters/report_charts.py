"""The one chart list: every chart of a report, and which writer shows it where.

The PNG export (:mod:`report_png`), the PDF (:mod:`report_pdf`) and the staff screen's dashboard
(:mod:`dashboard_charts`) all read :data:`CHARTS`; none of them names a chart. A new chart is its figures in the
domain, its drawing (a :data:`kiosk.adapters.charts.Make`) and one entry here.

Writers: ``PNG`` (``kiosk report --png``: ``home-<name>.png``, ``<resident>-<name>.png``), ``PDF`` (the home's
page or each resident's page, top to bottom in this order), and the staff screen's ``TODAY`` and ``WEEK``
(``dash-<period>-<home|resident>-<screen name>.png``). Order here is display order everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.adapters import charts
from kiosk.adapters.play_along_chart import play_along
from kiosk.adapters.trend_charts import trends

PNG, PDF, TODAY, WEEK = "png", "pdf", "today", "7d"
Page = Literal["home", "resident"]


def _always(_figures: Any) -> bool:
    return True


@dataclass(frozen=True)
class ChartSpec:
    """One chart: ``figure`` picks what it draws from a page's figures (HomeFigures or ResidentFigures),
    ``when`` whether that page shows it at all; ``pdf_h`` its height as a share of the page's chart area."""

    name: str  # in export file names
    title: str  # the words above it ("{per}": the chart says day or week)
    page: Page  # the home's page or a resident's
    figure: Callable[[Any], Any]
    draw: charts.Make
    writers: frozenset[str]
    when: Callable[[Any], bool] = _always
    screen_name: str = ""  # in the staff screen's file names, when it differs from ``name``
    png_in: tuple[float, float] = (8.0, 3.2)
    pdf_h: float = 0.4
    pdf_width: float = 0.85
    pdf_below: float = 0.04  # on a resident's PDF page: the least room under it (page fraction)

    @property
    def dash_name(self) -> str:
        return self.screen_name or self.name


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "minutes", "Minutes of music per {per}", "home", lambda h: (h.minutes_by_day, h.minutes_by_week),
        charts.minutes, frozenset({PNG, PDF, WEEK}),
    ),
    ChartSpec(
        "when-music-is-played", "When music is played (minutes, by weekday and hour)", "home",
        lambda h: h.heatmap, charts.heatmap, frozenset({PNG, PDF, WEEK}), screen_name="when", pdf_width=0.78,
    ),
    ChartSpec(
        "time-of-day", "Time of day music is played", "home", lambda h: h.minutes_by_hour, charts.hours,
        frozenset({TODAY}), screen_name="hours",
    ),
    ChartSpec(
        "play-along", "Play along", "home", lambda h: h.play_along, play_along, frozenset({PNG, PDF, WEEK}),
        when=lambda h: h.play_along.used, pdf_h=0.3,
    ),
    ChartSpec(
        "week-by-week", "Week by week", "resident", lambda f: f, trends, frozenset({PNG, PDF}),
        png_in=(9.0, 4.6), pdf_h=0.5,
    ),
    ChartSpec(
        "minutes", "Minutes of music per {per}", "resident", lambda f: (f.minutes_by_day, f.minutes_by_week),
        charts.minutes, frozenset({PNG, WEEK}),
    ),
    ChartSpec(
        "songs", "What happened to the songs", "resident", lambda f: f, charts.songs,
        frozenset({PNG, TODAY, WEEK}), png_in=(6.0, 2.6),
    ),
    ChartSpec(
        "time-of-day", "Time of day music is played", "resident", lambda f: f.minutes_by_hour, charts.hours,
        frozenset({PNG, PDF, TODAY, WEEK}), screen_name="hours", pdf_h=0.2, pdf_below=0.065,
    ),
    ChartSpec(
        "observations", "Staff observations (0-100)", "resident", lambda f: f.observations, charts.scales,
        frozenset({PNG}), when=lambda f: bool(f.observations),
    ),
    ChartSpec(
        "play-along", "Play along", "resident", lambda f: f.play_along, play_along,
        frozenset({PNG, PDF, WEEK}), when=lambda f: f.play_along.used, pdf_h=0.15,
    ),
)  # fmt: skip


def charts_for(writer: str, page: Page, figures: Any) -> Iterator[ChartSpec]:
    """The charts ``writer`` shows on ``page`` for these figures, in display order."""
    for spec in CHARTS:
        if writer in spec.writers and spec.page == page and spec.when(figures):
            yield spec


def specs_for(writer: str, page: Page) -> list[ChartSpec]:
    """Every chart ``writer`` may show on ``page`` (whatever the figures): a reused page sets them all up."""
    return [spec for spec in CHARTS if writer in spec.writers and spec.page == page]
