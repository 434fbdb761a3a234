"""Resident profile rules: the import columns, what each may hold, and what changed on a re-import.

Pure: takes the values of one row (strings from a CSV, or JSON values) and returns the profile's fields and a
list of problems, each naming the field. Files, photos and line numbers belong to :mod:`kiosk.app.residents_import`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from kiosk.domain.models import Consent, Resident
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
REQUIRED = ("id", "first_name", "birth_year")
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


def split_list(value: object, sep: str) -> list[str]:
    """A list cell: a JSON list, or text split on ``sep``; blanks dropped, duplicates kept once."""
    if value is None:
        return []
    items = [str(v) for v in value] if isinstance(value, list) else str(value).split(sep)
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


def _list(name: str, value: object, sep: str, problems: list[Problem]) -> tuple[str, ...]:
    if isinstance(value, list) and not all(isinstance(v, str | int | float) for v in value):
        problems.append(Problem(name, "must be a list of text items"))
        return ()
    if value is not None and not isinstance(value, list | str | int | float):
        problems.append(Problem(name, "must be text or a list"))
        return ()
    items = split_list(value, sep)
    if len(items) > ITEMS_MAX:
        problems.append(Problem(name, f"{len(items)} items; at most {ITEMS_MAX}"))
    for item in items:
        if len(item) > ITEM_MAX:
            problems.append(
                Problem(name, f"item {item[:20]!r}... is too long (at most {ITEM_MAX} characters)")
            )
        if _CONTROL.search(item) or "\n" in item:
            problems.append(Problem(name, "contains control characters or line breaks"))
    return tuple(items)


def validate_row(
    row: Mapping[str, object], *, today: date, list_sep: str = ";"
) -> tuple[dict[str, Any], list[Problem]]:
    """Check one row. Returns the profile fields (as :class:`Resident` keyword arguments, without
    ``resident_id``; ``photo`` is the path as written, for the caller to resolve) and every problem found."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    staff_id = _text("id", row.get("id"), problems, max_len=ID_MAX)
    if not staff_id:
        problems.append(Problem("id", "is required"))
    elif not _ID.fullmatch(staff_id):
        problems.append(Problem("id", f"{staff_id!r}: use letters, digits, spaces, '.', '_' or '-'"))
    out["staff_id"] = staff_id

    first = _text("first_name", row.get("first_name"), problems, max_len=NAME_MAX)
    if not first:
        problems.append(Problem("first_name", "is required"))
    out["first_name"] = first
    out["preferred_name"] = _text("preferred_name", row.get("preferred_name"), problems, max_len=NAME_MAX)

    latest = today.year - MIN_AGE_YEARS
    birth = _int("birth_year", row.get("birth_year"), problems, MIN_BIRTH_YEAR, latest, None)
    out["birth_year"] = birth if birth is not None else 0

    out["photo"] = _text("photo", row.get("photo"), problems, max_len=255) or None
    out["hometown"] = _text("hometown", row.get("hometown"), problems, max_len=TEXT_MAX)
    for name in LIST_FIELDS:
        out[name] = _list(name, row.get(name), list_sep, problems)
    themes, unknown = parse_themes(out["avoid_themes"])
    problems.extend(Problem("avoid_themes", message) for message in unknown)
    out["avoid_themes"] = themes

    out["volume_cap_pct"] = _int(
        "volume_cap_pct", row.get("volume_cap_pct"), problems, *VOLUME_CAP_RANGE, 100
    )
    out["session_minutes"] = _int(
        "session_minutes", row.get("session_minutes"), problems, *SESSION_MINUTES_RANGE, 30
    )
    room = _text("room", row.get("room"), problems, max_len=TEXT_MAX)
    out["room"] = "" if room.casefold() in ("lounge", "-") else room

    schedule_text = row.get("schedule")
    out["schedule"] = ()
    if isinstance(schedule_text, list):
        schedule_text = list_sep.join(str(s) for s in schedule_text)
    if schedule_text is not None and str(schedule_text).strip():
        try:
            out["schedule"] = parse_schedule(str(schedule_text), separator=list_sep)
        except ValueError as exc:
            problems.append(Problem("schedule", str(exc)))

    out["notes"] = _text("notes", row.get("notes"), problems, max_len=NOTES_MAX, multiline=True)

    consent_raw = row.get("consent")
    if isinstance(consent_raw, bool):
        consent_raw = "yes" if consent_raw else "no"
    consent_text = _text("consent", consent_raw, problems, max_len=10).casefold()
    consent = _CONSENT.get(consent_text)
    if consent is None:
        problems.append(
            Problem("consent", f"{consent_text!r}: write yes, no, or leave it empty (not recorded)")
        )
        consent = Consent.UNKNOWN
    out["consent"] = consent

    consent_date = _text("consent_date", row.get("consent_date"), problems, max_len=30)
    if consent_date:
        try:
            when = date.fromisoformat(consent_date)
        except ValueError:
            problems.append(Problem("consent_date", f"{consent_date!r}: write the date as 2025-03-31"))
        else:
            if when > today:
                problems.append(Problem("consent_date", f"{consent_date} is in the future"))
            consent_date = when.isoformat()
    out["consent_date"] = consent_date
    out["consent_by"] = _text("consent_by", row.get("consent_by"), problems, max_len=TEXT_MAX)

    voice_raw = row.get("voice")
    if isinstance(voice_raw, bool):
        voice_raw = "yes" if voice_raw else "no"
    voice_text = _text("voice", voice_raw, problems, max_len=10).casefold()
    if voice_text not in _CONSENT:
        problems.append(Problem("voice", f"{voice_text!r}: write yes, or no / empty (the voice stays off)"))
    out["voice"] = _CONSENT.get(voice_text) is Consent.YES
    return out, problems


_COMPARED = tuple(f.name for f in fields(Resident) if f.name not in ("resident_id", "extra", "photo"))


def changed_fields(old: Resident, new: Resident) -> list[str]:
    """Names of the profile fields that differ (``photo`` when the picture itself changed)."""
    changed = [name for name in _COMPARED if getattr(old, name) != getattr(new, name)]
    if old.extra.get("photo_sha256") != new.extra.get("photo_sha256") or bool(old.photo) != bool(new.photo):
        changed.append("photo")
    return changed


def to_row(resident: Resident, *, list_sep: str = ";", photo: str = "") -> dict[str, str]:
    """The import row of ``resident`` (export: round-trips through :func:`validate_row`)."""
    joiner = f"{list_sep} "
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
            "schedule": format_schedule(resident.schedule).replace("; ", joiner),
            "notes": resident.notes,
            "consent": resident.consent.value,
            "consent_date": resident.consent_date,
            "consent_by": resident.consent_by,
            "voice": "yes" if resident.voice else "",
        }
    )
    return {name: row[name] for name in COLUMNS}
