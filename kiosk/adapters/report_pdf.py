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

from kiosk.adapters import charts  # noqa: F401  (sets the Agg backend first)
from kiosk.adapters.report_charts import PDF, ChartSpec, charts_for, specs_for
from kiosk.adapters.safe_output import output_file
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
HOME_GAP = 0.07  # the least room between two charts of the home's page


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


def _stack(top: float, bottom: float, heights: list[float], gaps: list[float]) -> list[tuple[float, float]]:
    """(bottom, height) of charts stacked from ``top`` down to ``bottom`` (the last one sits on it). ``gaps``:
    the least room under each chart but the last (its tick labels, the next one's title); space left over is
    shared out equally, and heights shrink together when even the least room is not there."""
    total, least = sum(heights), sum(gaps)
    room = top - bottom - least
    if total > room > 0:
        heights = [h * room / total for h in heights]
        total = room
    extra = (top - bottom - total - least) / len(gaps) if gaps else 0.0
    out, y = [], top
    for i, h in enumerate(heights):
        out.append((y - h, h))
        y -= h + (gaps[i] + extra if i < len(gaps) else 0.0)
    return out


def home_page(
    report: Report,
    footer: str,
    title: str = "Encore: music engagement in the home",
    names: dict[str, str] | None = None,
) -> Figure:
    """The home's page: its figures at the top, then its charts (the chart list's, in order) filling the rest
    of the page (their height follows the text, so the page is never half blank)."""
    home = report.home
    fig = Figure(figsize=A4_IN)
    _header(fig, title, _subtitle(report), footer)
    lines = _fit(home_lines(home, names)[1:], 30)  # the period is in the subtitle
    fig.text(0.07, TEXT_TOP, "\n".join(lines), va="top", ha="left", fontsize=TEXT_PT, linespacing=LINESPACING)
    text_bottom = TEXT_TOP - len(lines) * LINE_H - 0.045
    room = text_bottom - BOTTOM - 0.05
    specs = list(charts_for(PDF, "home", home))
    gaps = [HOME_GAP] * (len(specs) - 1)
    places = _stack(BOTTOM + 0.05 + room * 0.95, BOTTOM + 0.03, [s.pdf_h * room for s in specs], gaps)
    for spec, (bottom, height) in zip(specs, places, strict=True):
        spec.draw(fig, (0.1, bottom, spec.pdf_width, height), home.period, spec.title).show(spec.figure(home))
    return fig


BASE_WEIGHT, BASE_GAP = (
    0.7,
    0.04,
)  # the usual resident charts (week by week, time of day): MIN/MAX_CHARTS_H fit them


class ResidentPage:
    """One A4 figure set up once and refilled for each resident: building axes and ticks is most of the cost
    of a page, so 60 pages reuse one (a page then costs only its drawing). Every chart the list puts on a
    resident's PDF page is made once; a resident's page shows those their figures call for, moved up under
    the text, so a short text does not leave the middle of the page blank."""

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
        self.specs = specs_for(PDF, "resident")
        places = self._places(self.specs, MIN_CHARTS_H, MIN_CHARTS_H)
        self.drawings = [
            spec.draw(fig, (0.1, bottom, spec.pdf_width, height), period, spec.title)
            for spec, (bottom, height) in zip(self.specs, places, strict=True)
        ]

    @staticmethod
    def _places(specs: list[ChartSpec], h: float, base: float) -> list[tuple[float, float]]:
        """Charts sized on ``base`` (the chart area for the usual charts), stacked in ``h`` (more when
        more are shown), under the week-by-week title's room."""
        gaps = [s.pdf_below for s in specs[:-1]]
        return _stack(BOTTOM + h - 0.08 * base, BOTTOM + 0.04, [s.pdf_h * base for s in specs], gaps)

    def fill(self, f: ResidentFigures, *, notes: bool) -> Figure:
        self.title.set_text(f.label)
        shown = [not f.not_recorded and spec.when(f) for spec in self.specs]
        on = [s for s, show in zip(self.specs, shown, strict=True) if show]
        # more charts than the usual two: the chart area grows by their heights and room (the text shrinks)
        more = sum(s.pdf_h for s in on) + sum(s.pdf_below for s in on[:-1]) / MIN_CHARTS_H
        scale = max(1.0, more / (BASE_WEIGHT + BASE_GAP / MIN_CHARTS_H))
        max_lines = int((TEXT_TOP - BOTTOM - MIN_CHARTS_H * scale - 0.035) / LINE_H)
        lines = _fit(resident_lines(f, notes=notes), max_lines)
        self.body.set_text("\n".join(lines))
        used = len(lines) * LINE_H + 0.06
        h = max(MIN_CHARTS_H * scale, min(MAX_CHARTS_H * scale, TEXT_TOP - BOTTOM - used))
        places = iter(self._places(on, h, h / scale))
        for spec, drawing, show in zip(self.specs, self.drawings, shown, strict=True):
            drawing.set_visible(show)
            if show:
                bottom, height = next(places)
                drawing.place((0.1, bottom, spec.pdf_width, height))
                drawing.show(spec.figure(f))
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
