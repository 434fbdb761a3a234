"""Resident profile rules: the import columns, what each may hold, and what changed on a re-import.

Pure: takes the values of one row (strings from a CSV, or JSON values) and returns the profile's fields and a
list of problems, each naming the field. Files, photos and line numbers belong to :mod:`kiosk.app.residents_import`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.domain.models import Consent, Resident, ScheduleSlot
from kiosk.domain.resident_dates import parse_date, year_of_full_date
from kiosk.domain.schedule import format_schedule, parse_schedule
from kiosk.domain.themes import parse_themes

# The import columns (a contract with staff spreadsheets and the template): order as in the template.
COLUMNS = (
    "id",
    "first_name",
    "preferred_name",
    "birth_year",
    "photo",
    "hometown",
    "languages",
    "favourite_artists",
    "favourite_songs",
    "favourite_genres",
    "avoid_artists",
    "avoid_songs",
    "avoid_genres",
    "avoid_keywords",
    "avoid_themes",
    "volume_cap_pct",
    "session_minutes",
    "room",
    "schedule",
    "notes",
    "consent",
    "consent_date",
    "consent_by",
    "voice",  # yes: the gentle voice may speak for this resident (the kiosk's [voice] must be on too)
)
REQUIRED = ("id",)  # first_name and birth_year too, for someone not in the kiosk yet
LIST_FIELDS = (
    "languages",
    "favourite_artists",
    "favourite_songs",
    "favourite_genres",
    "avoid_artists",
    "avoid_songs",
    "avoid_genres",
    "avoid_keywords",
    "avoid_themes",
)
# Lists whose items hardly ever hold a comma (unlike song titles and artists): a comma there is worth a note.
COMMA_HINT_FIELDS = ("languages", "favourite_genres", "avoid_genres", "avoid_keywords", "avoid_themes")
MIN_BIRTH_YEAR = 1900
MIN_AGE_YEARS = 40
NAME_MAX = 60
ID_MAX = 40
TEXT_MAX = 100  # hometown, room, consent_by
NOTES_MAX = 500
ITEM_MAX = 200
ITEMS_MAX = 100
VOLUME_CAP_RANGE = (10, 100)
SESSION_MINUTES_RANGE = (5, 240)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LIST_SPLIT = re.compile(r"[;\r\n]")
_CONSENT = {
    "yes": Consent.YES,
    "y": Consent.YES,
    "true": Consent.YES,
    "no": Consent.NO,
    "n": Consent.NO,
    "false": Consent.NO,
    "": Consent.UNKNOWN,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of a row."""

    field: str
    message: str


def _text(name: str, value: object, problems: list[Problem], *, max_len: int, multiline: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(Problem(name, "must be text"))
        return ""
    text = str(value).strip()
    if len(text) > max_len:
        problems.append(Problem(name, f"too long ({len(text)} characters; at most {max_len})"))
    check = text.replace("\n", "").replace("\r", "").replace("\t", " ") if multiline else text
    if _CONTROL.search(check) or (not multiline and ("\n" in text or "\r" in text)):
        problems.append(Problem(name, "contains control characters or line breaks"))
    return text


def _int(
    name: str, value: object, problems: list[Problem], lo: int, hi: int, default: int | None
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            problems.append(Problem(name, "is required"))
        return default
    if isinstance(value, bool):
        problems.append(Problem(name, f"must be a whole number from {lo} to {hi}"))
        return default
    text = str(value).strip().rstrip("%").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"-?\d{1,6}", text):
        problems.append(Problem(name, f"{str(value)[:30]!r} is not a whole number (expected {lo} to {hi})"))
        return default
    number = int(text)
    if not lo <= number <= hi:
        problems.append(Problem(name, f"{number} is out of range ({lo} to {hi})"))
        return default
    return number


def split_list(value: object) -> list[str]:
    """A list cell: a JSON list, or text split on ``;`` and on line breaks (whatever separates the columns:
    a spreadsheet quotes a cell holding the column separator, so ``;`` inside a cell is always a list's);
    blanks dropped, duplicates kept once."""
    if value is None:
        return []
    cells = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    items = [piece for cell in cells for piece in _LIST_SPLIT.split(cell)]
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


def _list(name: str, value: object, problems: list[Problem]) -> tuple[str, ...]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()  # most list cells are empty
    if isinstance(value, list) and not all(isinstance(v, str | int | float) for v in value):
        problems.append(Problem(name, "must be a list of text items"))
        return ()
    if value is not None and not isinstance(value, list | str | int | float):
        problems.append(Problem(name, "must be text or a list"))
        return ()
    items = split_list(value)
    if len(items) > ITEMS_MAX:
        problems.append(Problem(name, f"{len(items)} items; at most {ITEMS_MAX}"))
    for item in items:
        if len(item) > ITEM_MAX:
            problems.append(
                Problem(name, f"item {item[:20]!r}... is too long (at most {ITEM_MAX} characters)")
            )
        if _CONTROL.search(item):
            problems.append(Problem(name, f"item {item[:20]!r} contains control characters"))
    return tuple(items)


def _birth_year(value: object, latest: int, problems: list[Problem], notes: list[Problem]) -> int:
    """The year of birth; a full date of birth keeps only its year (and says so)."""
    if isinstance(value, str) and (year := year_of_full_date(value)) is not None:
        if MIN_BIRTH_YEAR <= year <= latest:
            notes.append(
                Problem("birth_year", f"{value.strip()!r} is a full date: only the year {year} is kept")
            )
            return year
        problems.append(
            Problem(
                "birth_year",
                f"{value.strip()!r}: the year {year} is out of range ({MIN_BIRTH_YEAR} to {latest})",
            )
        )
        return 0
    birth = _int("birth_year", value, problems, MIN_BIRTH_YEAR, latest, None)
    return birth if birth is not None else 0


@dataclass
class RowCheck:
    """One row checked: the profile fields of the columns it has, its problems, and notes for staff."""

    fields: dict[str, Any]
    problems: list[Problem]
    notes: list[Problem]


def validate_row(row: Mapping[str, object], *, today: date, date_order: str = "dmy") -> RowCheck:
    """Check one row. ``fields`` holds :class:`Resident` keyword arguments for the columns present in
    ``row`` only (a column absent from the file leaves that field as it is; an empty cell clears it), always
    with ``staff_id``; ``photo`` is the path as written (None: no photo), for the caller to resolve."""
    problems: list[Problem] = []
    notes: list[Problem] = []
    out: dict[str, Any] = {}

    staff_id = _text("id", row.get("id"), problems, max_len=ID_MAX)
    if not staff_id:
        problems.append(Problem("id", "is required"))
    elif not _ID.fullmatch(staff_id):
        problems.append(Problem("id", f"{staff_id!r}: use letters, digits, spaces, '.', '_' or '-'"))
    out["staff_id"] = staff_id

    if "first_name" in row:
        out["first_name"] = _text("first_name", row.get("first_name"), problems, max_len=NAME_MAX)
        if not out["first_name"]:
            problems.append(Problem("first_name", "is required"))
    if "preferred_name" in row:
        out["preferred_name"] = _text("preferred_name", row.get("preferred_name"), problems, max_len=NAME_MAX)
    if "birth_year" in row:
        out["birth_year"] = _birth_year(row.get("birth_year"), today.year - MIN_AGE_YEARS, problems, notes)
    if "photo" in row:
        out["photo"] = _text("photo", row.get("photo"), problems, max_len=255) or None
    for name in ("hometown", "room", "consent_by"):
        if name in row:
            out[name] = _text(name, row.get(name), problems, max_len=TEXT_MAX)
    if "room" in out and out["room"].casefold() in ("lounge", "-"):
        out["room"] = ""
    for name in LIST_FIELDS:
        if name in row:
            out[name] = _list(name, row.get(name), problems)
    for name in COMMA_HINT_FIELDS:
        notes += [
            Problem(name, f"{item!r} is one item; separate items with ';'")
            for item in out.get(name, ())
            if "," in item
        ]
    if "avoid_themes" in out:
        themes, unknown = parse_themes(out["avoid_themes"])
        problems.extend(Problem("avoid_themes", message) for message in unknown)
        out["avoid_themes"] = themes
    if "volume_cap_pct" in row:
        out["volume_cap_pct"] = _int(
            "volume_cap_pct", row.get("volume_cap_pct"), problems, *VOLUME_CAP_RANGE, 100
        )
    if "session_minutes" in row:
        out["session_minutes"] = _int(
            "session_minutes", row.get("session_minutes"), problems, *SESSION_MINUTES_RANGE, 30
        )
    if "schedule" in row:
        out["schedule"] = _schedule(row.get("schedule"), problems)
    if "notes" in row:
        out["notes"] = _text("notes", row.get("notes"), problems, max_len=NOTES_MAX, multiline=True)
    if "consent" in row:
        out["consent"] = _consent(row.get("consent"), problems)
    if "consent_date" in row:
        out["consent_date"] = _consent_date(row.get("consent_date"), today, date_order, problems)
    if "voice" in row:
        out["voice"] = _voice(row.get("voice"), problems)
    return RowCheck(out, problems, notes)


def _schedule(value: object, problems: list[Problem]) -> tuple[ScheduleSlot, ...]:
    text = ";".join(str(s) for s in value) if isinstance(value, list) else value
    if text is None or not str(text).strip():
        return ()
    try:
        return parse_schedule(str(text).replace("\r", "").replace("\n", ";"), separator=";")
    except ValueError as exc:
        problems.append(Problem("schedule", str(exc)))
        return ()


def _consent(value: object, problems: list[Problem]) -> Consent:
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = _text("consent", value, problems, max_len=10)
    consent = _CONSENT.get(text.casefold())
    if consent is None:
        problems.append(Problem("consent", f"{text!r}: write yes, no, or leave it empty (not recorded)"))
        return Consent.UNKNOWN
    return consent


def _voice(value: object, problems: list[Problem]) -> bool:
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = _text("voice", value, problems, max_len=10).casefold()
    if text not in _CONSENT:
        problems.append(Problem("voice", f"{text!r}: write yes, or no / empty (the voice stays off)"))
    return _CONSENT.get(text) is Consent.YES


def _consent_date(value: object, today: date, date_order: str, problems: list[Problem]) -> str:
    text = _text("consent_date", value, problems, max_len=30)
    if not text:
        return ""
    when, message = parse_date(text, date_order)
    if when is None:
        problems.append(Problem("consent_date", message))
        return text
    if when > today:
        problems.append(Problem("consent_date", f"{text!r} ({when.isoformat()}) is in the future"))
    return when.isoformat()


def new_resident_problems(fields: Mapping[str, Any]) -> list[Problem]:
    """What a row must give to add someone new (a re-import may leave these columns out)."""
    return [
        Problem(name, "is required for someone not in the kiosk yet")
        for name in ("first_name", "birth_year")
        if name not in fields
    ]


def to_row(resident: Resident, *, photo: str = "") -> dict[str, str]:
    """The import row of ``resident`` (export: round-trips through :func:`validate_row`)."""
    joiner = "; "
    row: dict[str, str] = {
        "id": resident.staff_id,
        "first_name": resident.first_name,
        "preferred_name": resident.preferred_name,
        "birth_year": str(resident.birth_year),
        "photo": photo,
        "hometown": resident.hometown,
    }
    for name in LIST_FIELDS:
        row[name] = joiner.join(getattr(resident, name))
    row.update(
        {
            "volume_cap_pct": str(resident.volume_cap_pct),
            "session_minutes": str(resident.session_minutes),
            "room": resident.room,
            "schedule": format_schedule(resident.schedule),
            "notes": resident.notes,
            "consent": resident.consent.value,
            "consent_date": resident.consent_date,
            "consent_by": resident.consent_by,
            "voice": "yes" if resident.voice else "",
        }
    )
    return {name: row[name] for name in COLUMNS}
