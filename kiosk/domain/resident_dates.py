"""Dates as staff spreadsheets write them: ISO always, and day/month/year or month/day/year as the kiosk's
``[residents] date_order`` says (a service's locale settles nothing: UK Excel re-saves the template's ISO dates
as 01/03/2025, US Excel as 3/1/2025). Messages echo the person's own value, never a made-up example.
"""

from __future__ import annotations

import re
from datetime import date

DATE_ORDERS = ("dmy", "mdy")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: 00:00(?::00)?)?")
_ORDER_WORDS = {"dmy": "day/month/year", "mdy": "month/day/year"}


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _spoken(when: date) -> str:
    return f"{when.day} {when.strftime('%B')} {when.year}"


def parse_date(text: str, date_order: str) -> tuple[date | None, str]:
    """``text`` as a date, or None and a message quoting ``text`` (why, and how to write it)."""
    value = text.strip()
    iso = _ISO.fullmatch(value)
    if iso:
        when = _make(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if when is None:
            return None, f"{value!r} is not a date (year-month-day)"
        return when, ""
    numeric = _NUMERIC.fullmatch(value)
    if not numeric:
        return None, f"{value!r} is not a date: write it as year-month-day or {_ORDER_WORDS[date_order]}"
    a, b, year_text = int(numeric.group(1)), int(numeric.group(2)), numeric.group(3)
    if len(year_text) == 2:
        return None, f"{value!r}: write the year in full (4 digits), so the century is not guessed"
    year = int(year_text)
    day, month = (a, b) if date_order == "dmy" else (b, a)
    when = _make(year, month, day)
    if when is not None:
        return when, ""
    message = f'{value!r} is not a {_ORDER_WORDS[date_order]} date ([residents] date_order = "{date_order}")'
    other = "mdy" if date_order == "dmy" else "dmy"
    swapped = _make(year, a, b) if date_order == "dmy" else _make(year, b, a)
    if swapped is not None:
        message += (
            f"; if you meant {_spoken(swapped)} ({_ORDER_WORDS[other]}), write {swapped.isoformat()}"
            f' or set date_order = "{other}"'
        )
    return None, message


def year_of_full_date(text: str) -> int | None:
    """The year of a full date written in a year column (``14/03/1938``, ``1938-03-14``), else None.

    The year is the same whichever the date order, so no setting is needed to take it."""
    value = text.strip()
    iso = _ISO.fullmatch(value)
    if iso:
        return int(iso.group(1))
    numeric = _NUMERIC.fullmatch(value)
    if numeric and len(numeric.group(3)) == 4:
        return int(numeric.group(3))
    return None
