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
from kiosk.domain.report import Period, Report, ResidentFigures
from kiosk.domain.report_text import home_lines, resident_lines

A4_IN = (8.27, 11.69)
CORE_FONTS = {"pdf.use14corefonts": True, "font.family": "sans-serif", "font.sans-serif": ["Helvetica"]}
# core Helvetica has no "normal" weight entry: matplotlib warns once per string that it uses "medium"
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
WRAP = 105
MAX_TEXT_LINES = 34


def _wrap(lines: list[str]) -> str:
    wrapped: list[str] = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        wrapped += textwrap.wrap(line, WRAP, subsequent_indent=indent) or [""]
    if len(wrapped) > MAX_TEXT_LINES:
        wrapped = wrapped[: MAX_TEXT_LINES - 1] + ["  ... (more in the CSV export)"]
    return "\n".join(wrapped)


def _text_block(fig: Figure, lines: list[str], top: float, size: float = 8.5) -> None:
    fig.text(0.07, top, _wrap(lines), va="top", ha="left", fontsize=size, linespacing=1.35)


def _header(fig: Figure, title: str, subtitle: str, footer: str) -> None:
    fig.text(0.07, 0.965, title, fontsize=16, fontweight="bold", va="top")
    fig.text(0.07, 0.935, subtitle, fontsize=9, va="top", color="0.25")
    fig.text(0.07, 0.02, footer, fontsize=7, color="0.35")


def home_page(report: Report, footer: str, title: str = "Encore: music engagement in the home") -> Figure:
    home = report.home
    fig = Figure(figsize=A4_IN)
    _header(fig, title, f"{home.period.start:%d %B %Y} to {home.period.end:%d %B %Y}", footer)
    _text_block(fig, home_lines(home), 0.905)
    ax1 = fig.add_axes((0.1, 0.34, 0.85, 0.17))
    charts.draw_minutes(ax1, home.period, home.minutes_by_day, home.minutes_by_week)
    ax2 = fig.add_axes((0.1, 0.07, 0.78, 0.2))
    charts.draw_heatmap(ax2, home.heatmap, fig.colorbar)
    return fig


class ResidentPage:
    """One A4 figure set up once and refilled for each resident: building axes and ticks is most of the cost
    of a page, so 60 pages reuse one (a page then costs only its drawing)."""

    def __init__(self, period: Period, footer: str) -> None:
        self.fig = fig = Figure(figsize=A4_IN)
        self.period = period
        self.title = fig.text(0.07, 0.965, "", fontsize=16, fontweight="bold", va="top")
        fig.text(
            0.07,
            0.935,
            f"{period.start:%d %B %Y} to {period.end:%d %B %Y}",
            fontsize=9,
            va="top",
            color="0.25",
        )
        fig.text(0.07, 0.02, footer, fontsize=7, color="0.35")
        self.body = fig.text(0.07, 0.905, "", va="top", ha="left", fontsize=8.5, linespacing=1.35)
        self.minutes = charts.MinutesChart(fig.add_axes((0.1, 0.37, 0.85, 0.13)), period)
        self.hours = charts.HoursChart(fig.add_axes((0.1, 0.205, 0.85, 0.1)))
        self.scales = charts.ScalesChart(fig.add_axes((0.1, 0.05, 0.85, 0.1)), period)

    def fill(self, f: ResidentFigures, *, notes: bool) -> Figure:
        self.title.set_text(f.label)
        self.body.set_text(_wrap(resident_lines(f, notes=notes)))
        self.minutes.show(f.minutes_by_day, f.minutes_by_week)
        self.hours.update(list(f.minutes_by_hour))
        self.scales.update(f.observations)
        return self.fig


def resident_page(report: Report, f: ResidentFigures, footer: str, *, notes: bool) -> Figure:
    return ResidentPage(report.home.period, footer).fill(f, notes=notes)


def _latin_only(report: Report) -> bool:
    """Whether every name and song of the report fits the PDF core fonts' encoding (cp1252)."""
    texts = [f.label for f in report.residents] + [i[1] for i in report.home.idle_residents]
    for f in report.residents:
        texts += [s.title + s.artist for s in f.top_songs + f.troubled_songs] + [
            a.song for a in f.avoid_changes
        ]
        texts += [o.before + o.after for o in f.observations]
    texts += [s.title + s.artist for s in report.home.most_loved]
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def write_pdf(path: Path, report: Report, *, pseudonymised: bool, home_only: bool = False) -> int:
    """Write the PDF; returns the number of pages. Staff notes are left out when pseudonymised.

    Speed: matplotlib lays out each string with FreeType (1-8 ms a string; a page has ~90). When all the text
    fits cp1252 the PDF uses the printer's core Helvetica (metrics from AFM files, nothing embedded: ~4x
    faster); otherwise it embeds DejaVu Sans so every letter of every name prints right.
    """
    fonts: dict[Any, Any] = CORE_FONTS if _latin_only(report) else {}  # matplotlib's stub wants literal keys
    with matplotlib.rc_context(fonts):
        return _write_pdf(path, report, pseudonymised=pseudonymised, home_only=home_only)


def _write_pdf(path: Path, report: Report, *, pseudonymised: bool, home_only: bool) -> int:
    made = datetime.now().strftime("%Y-%m-%d %H:%M")
    footer = f"Encore report made {made}" + (
        " - pseudonymised: residents are shown as codes" if pseudonymised else " - confidential: care records"
    )
    pages = 0
    meta = {"Title": "Encore engagement report", "Creator": "Encore kiosk"}
    with output_file(path) as fh, PdfPages(fh, metadata=meta) as pdf:  # links refused, temp file + rename
        pdf.savefig(home_page(report, footer))
        pages += 1
        if not home_only:
            page = ResidentPage(report.home.period, footer)
            for f in report.residents:
                pdf.savefig(page.fill(f, notes=not pseudonymised))
                pages += 1
    return pages
