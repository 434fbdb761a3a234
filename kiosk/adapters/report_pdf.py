"""The printable report: page 1 the home's summary, then one page per resident (A4 portrait, black and white).

Pages are laid out with fixed axes positions (no tight_layout: it is slow, and 60 resident pages must render in
a few seconds on a Pi). Text blocks are the same wording as the terminal summary (:mod:`kiosk.domain.report_text`).
"""

from __future__ import annotations

import logging
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages  # noqa: I001
from matplotlib.figure import Figure

from kiosk.adapters import charts  # sets the Agg backend first
from kiosk.adapters.safe_output import output_file
from kiosk.adapters.trend_charts import TrendGrid
from kiosk.domain.report import Report, ResidentFigures
from kiosk.domain.report_text import home_lines, resident_lines

A4_IN = (8.27, 11.69)
CORE_FONTS = {"pdf.use14corefonts": True, "font.family": "sans-serif", "font.sans-serif": ["Helvetica"]}
# core Helvetica has no "normal" weight entry: matplotlib warns once per string that it uses "medium"
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
TEXT_PT = 10  # the smallest text anywhere on a page (issue 18: 8 pt was too small to read)
PDF_RC = {"font.size": TEXT_PT, "axes.titlesize": 12, "xtick.labelsize": TEXT_PT, "ytick.labelsize": TEXT_PT}
WRAP = 96  # characters per line at 10 pt across the page
LINESPACING = 1.3
LINE_H = TEXT_PT * 1.16 / (A4_IN[1] * 72)  # one text line as drawn (measured), as a fraction of the page
TEXT_TOP = 0.9
BOTTOM = 0.05
MIN_CHARTS_H = 0.38  # the charts' share of a resident page, at least
MAX_CHARTS_H = 0.56


def _wrap_lines(lines: list[str]) -> list[str]:
    wrapped: list[str] = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        wrapped += textwrap.wrap(line, WRAP, subsequent_indent=indent) or [""]
    return wrapped


def _fit(lines: list[str], max_lines: int) -> list[str]:
    wrapped = _wrap_lines(lines)
    if len(wrapped) > max_lines:
        wrapped = wrapped[: max_lines - 1] + ["  ... (more in the CSV export and the on-screen summary)"]
    return wrapped


def _header(fig: Figure, title: str, subtitle: str, footer: str) -> None:
    fig.text(0.07, 0.965, title, fontsize=16, fontweight="bold", va="top")
    fig.text(0.07, 0.937, subtitle, fontsize=TEXT_PT, va="top", color="0.2")
    fig.text(0.07, 0.018, footer, fontsize=TEXT_PT, color="0.3")


def _subtitle(report: Report) -> str:
    home = report.home
    zone = f" - local times ({home.time_zone})" if home.time_zone else " - local times"
    return f"{home.period.start:%d %B %Y} to {home.period.end:%d %B %Y}{zone}"


def home_page(
    report: Report,
    footer: str,
    title: str = "Encore: music engagement in the home",
    names: dict[str, str] | None = None,
) -> Figure:
    """The home's page: its figures at the top, then the minutes and the weekday-by-hour charts filling the
    rest of the page (their height follows the text, so the page is never half blank)."""
    home = report.home
    fig = Figure(figsize=A4_IN)
    _header(fig, title, _subtitle(report), footer)
    lines = _fit(home_lines(home, names)[1:], 30)  # the period is in the subtitle
    fig.text(0.07, TEXT_TOP, "\n".join(lines), va="top", ha="left", fontsize=TEXT_PT, linespacing=LINESPACING)
    text_bottom = TEXT_TOP - len(lines) * LINE_H - 0.045
    room = text_bottom - BOTTOM - 0.05
    ax1 = fig.add_axes((0.1, BOTTOM + 0.05 + room * 0.55, 0.85, room * 0.4))
    charts.draw_minutes(ax1, home.period, home.minutes_by_day, home.minutes_by_week)
    ax2 = fig.add_axes((0.1, BOTTOM + 0.03, 0.78, room * 0.4))
    charts.draw_heatmap(ax2, home.heatmap, fig.colorbar)
    return fig


class ResidentPage:
    """One A4 figure set up once and refilled for each resident: building axes and ticks is most of the cost
    of a page, so 60 pages reuse one (a page then costs only its drawing). The charts move up under the text,
    so a short text does not leave the middle of the page blank."""

    def __init__(self, report: Report, footer: str) -> None:
        self.fig = fig = Figure(figsize=A4_IN)
        period = report.home.period
        self.period = period
        self.title = fig.text(0.07, 0.965, "", fontsize=16, fontweight="bold", va="top")
        fig.text(0.07, 0.937, _subtitle(report), fontsize=TEXT_PT, va="top", color="0.2")
        fig.text(0.07, 0.018, footer, fontsize=TEXT_PT, color="0.3")
        self.body = fig.text(
            0.07, TEXT_TOP, "", va="top", ha="left", fontsize=TEXT_PT, linespacing=LINESPACING
        )
        self.max_lines = int((TEXT_TOP - BOTTOM - MIN_CHARTS_H - 0.035) / LINE_H)
        self.trends = TrendGrid(fig, self._trend_rect(MIN_CHARTS_H), period)
        self.hours = charts.HoursChart(fig.add_axes(self._hours_rect(MIN_CHARTS_H)))

    @staticmethod
    def _trend_rect(h: float) -> tuple[float, float, float, float]:
        return (0.1, BOTTOM + 0.42 * h, 0.85, 0.5 * h)

    @staticmethod
    def _hours_rect(h: float) -> tuple[float, float, float, float]:
        return (0.1, BOTTOM + 0.04, 0.85, 0.2 * h)

    def fill(self, f: ResidentFigures, *, notes: bool) -> Figure:
        self.title.set_text(f.label)
        lines = _fit(resident_lines(f, notes=notes), self.max_lines)
        self.body.set_text("\n".join(lines))
        used = len(lines) * LINE_H + 0.06
        h = max(MIN_CHARTS_H, min(MAX_CHARTS_H, TEXT_TOP - BOTTOM - used))
        self.trends.place(self._trend_rect(h))
        self.hours.ax.set_position(self._hours_rect(h))
        self.trends.update(f)
        self.hours.update(list(f.minutes_by_hour))
        for artist in (*self.fig.axes, self.trends.title):
            artist.set_visible(not f.not_recorded)
        return self.fig


def resident_page(report: Report, f: ResidentFigures, footer: str, *, notes: bool) -> Figure:
    return ResidentPage(report, footer).fill(f, notes=notes)


def _latin_only(report: Report) -> bool:
    """Whether every name and song of the report fits the PDF core fonts' encoding (cp1252)."""
    texts = [f.label for f in report.residents] + [i[1] for i in report.home.idle_residents]
    for f in report.residents:
        texts += [s.title + s.artist for s in f.top_songs + f.troubled_songs + f.songs] + [
            a.song for a in f.avoid_changes
        ]
        texts += [o.before + o.after for o in f.observations]
        texts += [x.text for x in f.what_works]
    texts += [s.title + s.artist for s in report.home.most_loved]
    texts.append(report.home.time_zone)
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def write_pdf(
    path: Path,
    report: Report,
    *,
    pseudonymised: bool,
    home_only: bool = False,
    one_resident: bool = False,
    names: dict[str, str] | None = None,
) -> int:
    """Write the PDF; returns the number of pages. Staff notes are left out when pseudonymised.
    ``one_resident``: no home page (it names other residents): that resident's page only.

    Speed: matplotlib lays out each string with FreeType (1-8 ms a string; a page has ~90). When all the text
    fits cp1252 the PDF uses the printer's core Helvetica (metrics from AFM files, nothing embedded: ~4x
    faster); otherwise it embeds DejaVu Sans so every letter of every name prints right.
    """
    fonts: dict[Any, Any] = dict(PDF_RC)
    if _latin_only(report):
        fonts.update(CORE_FONTS)  # matplotlib's stub wants literal keys
    with matplotlib.rc_context(fonts):
        return _write_pdf(
            path,
            report,
            pseudonymised=pseudonymised,
            home_only=home_only,
            one_resident=one_resident,
            names=names,
        )


def _write_pdf(
    path: Path,
    report: Report,
    *,
    pseudonymised: bool,
    home_only: bool,
    one_resident: bool,
    names: dict[str, str] | None,
) -> int:
    made = datetime.now().strftime("%Y-%m-%d %H:%M")
    footer = f"Encore report made {made}" + (
        " - pseudonymised: residents are shown as codes" if pseudonymised else " - confidential: care records"
    )
    pages = 0
    meta = {"Title": "Encore engagement report", "Creator": "Encore kiosk"}
    with output_file(path) as fh, PdfPages(fh, metadata=meta) as pdf:  # links refused, temp file + rename
        if not one_resident:
            pdf.savefig(home_page(report, footer, names=names))
            pages += 1
        if not home_only:
            page = ResidentPage(report, footer)
            for f in report.residents:
                pdf.savefig(page.fill(f, notes=not pseudonymised))
                pages += 1
    return pages
