"""The records everything else passes around: songs, residents, modes.

Plain frozen dataclasses, so the domain can be tested without any framework. Stores turn them into documents
with :func:`dataclasses.asdict` and back with ``from_dict``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.domain.modes import Mode as Mode  # defined with the mode specs; importers keep finding it here


class Consent(StrEnum):
    """Consent to record engagement. ``NO``: music yes, journal and photo no. Empty: not recorded yet."""

    YES = "yes"
    NO = "no"
    UNKNOWN = ""


def decade_of(year: int | None) -> str | None:
    """``1964`` -> ``"1960s"``; ``None`` -> ``None``."""
    if year is None:
        return None
    return f"{year // 10 * 10}s"


@dataclass(frozen=True, slots=True)  # slots: 20,000 songs held ~10 MB smaller
class Song:
    """One playable song from the catalogue.

    ``song_id`` is the engagement identity: it follows the content (hash of first/last blocks plus duration),
    so a renamed or moved file keeps its history. ``year`` is the ORIGINAL year of the song, not a reissue's;
    ``era_source`` says which evidence gave it (e.g. ``"tag:TDOR"``, ``"sidecar"``, ``"folder"``, ``"unknown"``).
    """

    song_id: str
    path: str
    title: str
    artist: str = ""
    album: str = ""
    album_artist: str = ""
    genre: str = ""
    year: int | None = None
    era_source: str = "unknown"
    duration_s: float = 0.0
    track_no: int | None = None
    bpm: float | None = None
    mood: str | None = None  # "calm" | "upbeat" | None
    has_lyrics: bool = False
    lyrics_path: str | None = None  # an .lrc file beside the song, when there is one
    language: str = ""
    replaygain_db: float | None = None
    suspect: str | None = None  # why the player flagged it (failed to play, ended early), or None
    era_note: str = ""  # why other date evidence was set aside, e.g. "date 2005 ignored (compilation flag)"
    cover_path: str | None = None  # a picture beside the song (cover.jpg, folder.png...), when there is one
    themes: tuple[str, ...] = ()  # what it is about, names from kiosk.domain.themes.THEMES ("war", ...)
    # the beat grid's summary (kiosk.domain.beats.BeatSummary), merged in from the beat-summaries store
    # (kiosk.adapters.beat_store); these stay the last fields (the catalogue's shards store the ones before)
    beat_tempo_bpm: float | None = None
    beat_first_s: float | None = None
    beat_swing: float | None = None

    @property
    def has_beat_grid(self) -> bool:
        """Whether Play along can use this song (a usable grid was found or given)."""
        return self.beat_tempo_bpm is not None and self.beat_first_s is not None

    @property
    def decade(self) -> str | None:
        return decade_of(self.year)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Song:
        values = {k: v for k, v in doc.items() if k in _SONG_FIELD_NAMES}
        themes = values.get("themes")
        if themes is not None:
            values["themes"] = tuple(str(t) for t in themes) if isinstance(themes, list | tuple) else ()
        return cls(**values)


_SONG_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Song))


@dataclass(frozen=True)
class ScheduleSlot:
    """From ``start_min`` to ``end_min`` (minutes after midnight, local time) play ``mode``.

    A slot may wrap past midnight (``start_min > end_min``).
    """

    start_min: int
    end_min: int
    mode: Mode

    def contains(self, minute_of_day: int) -> bool:
        if self.start_min <= self.end_min:
            return self.start_min <= minute_of_day < self.end_min
        return minute_of_day >= self.start_min or minute_of_day < self.end_min


@dataclass(frozen=True)
class Resident:
    """A resident's profile. ``resident_id`` is an opaque random id (UUID) used everywhere outside the
    residents store; ``staff_id`` is the id staff chose (the CSV ``id`` column) and lives only there."""

    resident_id: str
    staff_id: str
    first_name: str
    birth_year: int
    preferred_name: str = ""
    photo: str | None = None  # path inside the data folder
    hometown: str = ""
    languages: tuple[str, ...] = ()
    favourite_artists: tuple[str, ...] = ()
    favourite_songs: tuple[str, ...] = ()
    favourite_genres: tuple[str, ...] = ()
    avoid_artists: tuple[str, ...] = ()
    avoid_songs: tuple[str, ...] = ()
    avoid_genres: tuple[str, ...] = ()
    avoid_keywords: tuple[str, ...] = ()
    avoid_themes: tuple[
        str, ...
    ] = ()  # theme names (kiosk.domain.themes): every song of the theme is left out
    volume_cap_pct: int = 100
    session_minutes: int = 30
    room: str = ""  # personal room name, or "" for a lounge resident
    schedule: tuple[ScheduleSlot, ...] = ()
    notes: str = ""
    consent: Consent = Consent.UNKNOWN
    consent_date: str = ""
    consent_by: str = ""
    voice: bool = False  # the gentle voice may speak for them (introductions...); off unless staff say yes
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.first_name

    @property
    def journaled(self) -> bool:
        """Whether events about this resident may be written to the journal."""
        return self.consent != Consent.NO
