"""PNG export of a report's charts: the home's, then each resident's, as the chart list says
(:mod:`kiosk.adapters.report_charts`). File names carry only the label slug, which is the resident's code when
pseudonymised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.adapters import charts
from kiosk.adapters.report_charts import PNG, Page, charts_for
from kiosk.domain.report import Period, Report


def write_pngs(
    folder: Path, report: Report, slug: Callable[[str], str], *, one_resident: bool = False
) -> list[Path]:
    """Every chart of the report; ``one_resident``: that resident's only (no home charts)."""
    period = report.home.period
    out: list[Path] = []
    if not one_resident:
        out += _pngs(folder, period, "home", report.home, "home")
    for f in report.residents:
        if not f.not_recorded:  # nothing is shown about a resident not recorded by choice
            out += _pngs(folder, period, "resident", f, slug(f.resident_id))
    return out


def _pngs(folder: Path, period: Period, page: Page, figures: Any, prefix: str) -> list[Path]:
    return [
        charts.save_drawing(
            folder / f"{prefix}-{spec.name}.png",
            spec.draw,
            spec.figure(figures),
            period,
            spec.title,
            spec.png_in,
        )
        for spec in charts_for(PNG, page, figures)
    ]
