"""Sidecar files (``era.toml``): how staff fix a song's era, mood or language without editing tags.

An ``era.toml`` in a music folder applies to every song in that folder and its subfolders (the nearest file
wins, key by key). Per-file entries name one song in the same folder::

    year = 1964            # or: decade = "1960s"
    mood = "calm"          # "calm" | "upbeat"
    language = "en"
    themes = ["war"]       # what the songs are about (kiosk.domain.themes), for avoid lists

    [files."Moon River.mp3"]
    year = 1961
    mood = "calm"
    themes = ["heartbreak"]

Themes add up (a folder's, its parent folders', the file's own, and those found from genre and folder words):
leaving a song out when in doubt is the safe side of an avoid list.

Parsing is pure (stdlib ``tomllib``); a bad file gives one message per problem, ``FILE:LINE: ...`` where the
TOML parser knows the line, and never stops a scan.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.domain.era import MOODS, SidecarEntry, normalise_language, parse_year
from kiosk.domain.themes import parse_themes

SIDECAR_NAME = "era.toml"
# Windows hides known extensions, so Notepad users easily save "era.toml.txt": accept that too.
SIDECAR_NAMES = (SIDECAR_NAME, "era.toml.txt", "Era.toml", "ERA.TOML")
_KEYS = {"year", "decade", "mood", "language", "themes"}
_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Sidecar:
    """One parsed ``era.toml``: the folder-wide entry and the per-file entries (by file name)."""

    folder: SidecarEntry = field(default_factory=SidecarEntry)
    files: dict[str, SidecarEntry] = field(default_factory=dict)


def _entry(table: dict[str, Any], where: str, problems: list[str]) -> SidecarEntry:
    year: int | None = None
    mood: str | None = None
    language: str | None = None
    for key in sorted(set(table) - _KEYS - {"files"}):
        problems.append(f"{where}: unknown key {key!r} (use year, decade, mood, language, themes)")
    if "year" in table:
        raw = table["year"]
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else parse_year(str(raw))
        if value is None or not 1800 <= value <= 2099:
            problems.append(f"{where}: year {raw!r} is not a year like 1964")
        else:
            year = value
    if "decade" in table and year is None:
        raw = table["decade"]
        value = parse_year(str(raw))
        if value is None:
            problems.append(f'{where}: decade {raw!r} is not a decade like "1960s"')
        else:
            year = value // 10 * 10
    if "mood" in table:
        raw = table["mood"]
        if isinstance(raw, str) and raw.strip().lower() in MOODS:
            mood = raw.strip().lower()
        else:
            problems.append(f'{where}: mood {raw!r} must be "calm" or "upbeat"')
    if "language" in table:
        raw = table["language"]
        if isinstance(raw, str):
            language = normalise_language(raw)
        else:
            problems.append(f'{where}: language {raw!r} must be text like "en"')
    themes: tuple[str, ...] = ()
    if "themes" in table:
        raw = table["themes"]
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            problems.append(f'{where}: themes must be a list like ["war", "religion"]')
        else:
            themes, unknown = parse_themes(items)
            problems.extend(f"{where}: themes: {message}" for message in unknown)
    return SidecarEntry(year=year, mood=mood, language=language, themes=themes, source=where)


def parse_sidecar(text: str, name: str) -> tuple[Sidecar, list[str]]:
    """Parse one ``era.toml`` (``name`` is how messages and ``era_source`` notes call it).

    Returns what could be understood and the problems found; a file that is not TOML at all gives an empty
    sidecar and one problem.
    """
    problems: list[str] = []
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _LINE.search(str(exc))
        where = f"{name}:{line.group(1)}" if line else name
        return Sidecar(), [f"{where}: not valid TOML ({exc})"]
    folder = _entry(doc, name, problems)
    files: dict[str, SidecarEntry] = {}
    raw_files = doc.get("files", {})
    if not isinstance(raw_files, dict):
        problems.append(f"{name}: 'files' must be tables like [files.\"Song.mp3\"]")
        raw_files = {}
    for file_name, table in raw_files.items():
        where = f'{name} [files."{file_name}"]'
        if not isinstance(table, dict):
            problems.append(f"{where}: must be a table with year/mood/language/themes")
            continue
        files[file_name] = _entry(table, where, problems)
    return Sidecar(folder=folder, files=files), problems


def merge_folder_entries(entries: list[SidecarEntry]) -> SidecarEntry | None:
    """Combine folder-wide entries, nearest folder first: each key from the nearest file that sets it, except
    ``themes``, which add up."""
    if not entries:
        return None
    merged = SidecarEntry()
    for entry in reversed(entries):  # farthest first, nearer ones overwrite
        merged = replace(
            merged,
            year=entry.year if entry.year is not None else merged.year,
            mood=entry.mood if entry.mood is not None else merged.mood,
            language=entry.language if entry.language is not None else merged.language,
            themes=merged.themes + tuple(t for t in entry.themes if t not in merged.themes),
            source=entry.source if entry.year is not None else merged.source,
        )
    if merged.year is None and merged.mood is None and merged.language is None and not merged.themes:
        return None
    return merged
