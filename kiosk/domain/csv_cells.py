"""CSV cells a spreadsheet cannot run (CSV formula injection), as a pure rule.

Excel and LibreOffice treat a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return as a
formula (``=HYPERLINK(...)``, ``+cmd|...``). Such a cell is written with a single quote in front, which
spreadsheets show as text; a cell whose whole text is a number (``-3.5``) is written as is. On import, a leading
quote is taken off only when one of those characters follows it, so titles like "'S Wonderful" survive and
export -> import round-trips. Writers: :mod:`kiosk.adapters.csv_safe`.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def escape_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV cell (non-text values unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """A cell read from a CSV file, with the quote :func:`escape_cell` added taken off again."""
    if len(text) >= 2 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text
