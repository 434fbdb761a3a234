"""Every CSV the project writes goes through :func:`csv_writer`: cells a spreadsheet would run as a formula are
escaped by the rule in :mod:`kiosk.domain.csv_cells` (a test checks no other module writes CSV)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from kiosk.domain.csv_cells import escape_cell, unescape_cell

__all__ = ["csv_writer", "escape_cell", "unescape_cell"]


class SafeWriter:
    """``csv.writer`` whose rows are escaped cell by cell."""

    def __init__(self, fh: Any, **options: Any):
        self._writer = csv.writer(fh, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([escape_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: Any, **options: Any) -> SafeWriter:
    """The one way the project writes CSV (options as for :func:`csv.writer`)."""
    return SafeWriter(fh, **options)
