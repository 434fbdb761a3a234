"""The small contracts the domain needs from the outside world.

Adapters in :mod:`kiosk.adapters` implement them for real (libvlc, TinyDB, JSON Lines, gpiozero); fakes in
``tests/fakes.py`` implement them for domain tests. Only :mod:`kiosk.wiring` picks which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from kiosk.domain.beats import BeatGrid
from kiosk.domain.intents import Intent, SessionView, Source
from kiosk.domain.library import TagInfo
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.playback import PlayerEvent, SpeechClip


class Clock(Protocol):
    """Time, passed in so that tests can drive it."""

    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going backwards."""
        ...

    def trusted(self) -> bool:
        """False while the wall clock is implausible (before 2024, or it jumped backwards)."""
        ...


class Journal(Protocol):
    """The append-only engagement event log (JSON Lines, one file per day)."""

    def append(
        self,
        type: str,
        *,
        session_id: str | None = None,
        resident_id: str | None = None,
        song_id: str | None = None,
        source: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Write one event now (never raises: trouble is reported through ``problem``)."""
        ...

    def sync(self) -> None:
        """Force the written events to storage (song and session boundaries)."""
        ...

    def maybe_sync(self) -> None:
        """Sync if events wait and the sync interval has passed (called by the engine's pump, ~20 Hz)."""
        ...

    def unended_sessions(self) -> list[list[dict[str, Any]]]:
        """The events (oldest first) of each recent session journaled as started and never ended (read at
        kiosk start, to close a session cut off before its first resume save)."""
        ...

    def session_ended(self, session_id: str) -> bool:
        """Whether the recent journal holds this session's ``session_end`` (read at kiosk start: an ended
        session is never resumed, whatever its resume point says)."""
        ...


class Catalogue(Protocol):
    """The scanned music library."""

    def songs(self) -> Sequence[Song]: ...

    def get(self, song_id: str) -> Song | None: ...

    def mark_suspect(self, song_id: str, reason: str) -> None:
        """Flag a song the player could not play (or that ended far too early)."""
        ...


class TagReader(Protocol):
    """Reads the tags of one audio file without loading the file (or its cover art) into memory."""

    def read(self, path: str) -> TagInfo:
        """The file's tags. Raises :class:`kiosk.domain.library.UnreadableFile` with a plain reason."""
        ...


class ResidentStore(Protocol):
    """Resident profiles (the only place names, photos and staff ids live)."""

    def all(self) -> Sequence[Resident]: ...

    def get(self, resident_id: str) -> Resident | None: ...

    def add_avoid_song(self, resident_id: str, song_title: str) -> None:
        """Put a song on the resident's avoid list (staff confirmed after a distress stop)."""
        ...


class EngagementHistory(Protocol):
    """What selection learns from: per resident, per song, the recent outcomes."""

    def outcomes(self, resident_id: str) -> Iterable[Mapping[str, Any]]:
        """Dicts with at least ``song_id``, ``at`` (ISO UTC), ``outcome`` (completed/skipped/liked/distress),
        ``listened_s``."""
        ...


class SessionRollups(Protocol):
    """Per-session summaries stored as documents, so reports never re-read a year of events."""

    def add(self, rollup: Mapping[str, Any]) -> None: ...


class SessionControl(Protocol):
    """What the UI, the GPIO buttons and the headless driver use to drive a session.

    ``post`` is called on the main loop's thread only (GPIO callbacks hand over to the main loop first).
    ``pump`` runs on the main loop: it drains player events queued by libvlc's thread and advances fades and
    timers; adapters call the ``waker`` given to :meth:`set_waker` (thread-safe) to ask for a prompt pump.
    """

    def post(self, intent: Intent, source: Source, arg: object = None) -> None: ...

    def view(self) -> SessionView: ...

    def subscribe(self, listener: Callable[[SessionView], None]) -> None:
        """Call ``listener`` with a new snapshot after every change (on the main loop)."""
        ...

    def pump(self) -> None: ...

    def set_waker(self, waker: Callable[[], None]) -> None: ...


# --- Playback and session engine (additive) -------------------------------------------------------------


class SongSource(Protocol):
    """Where the session engine gets its next song (the lead adapts the residents' Selector to this).

    Each answer is ``(song, reason)``: ``reason`` says why selection chose it (journaled with song_start).
    """

    def next_song(self, exclude_ids: set[str]) -> tuple[Song, str] | None: ...

    def song_for_decade(self, decade: str, exclude_ids: set[str]) -> tuple[Song, str] | None: ...


class SongSourceFactory(Protocol):
    """Builds the song source for who is listening and the mode (called at session start and mode change)."""

    def __call__(self, resident_ids: tuple[str, ...], mode: Mode | None) -> SongSource: ...


class Player(Protocol):
    """The audio player the session engine drives: a fixed set of long-lived slots (0 and 1, to crossfade).

    ``level`` is a linear amplitude factor 0..1 of the full-scale signal, already including the volume, every
    cap, fades and loudness levelling; the player applies it in the signal path BEFORE the first sample and
    never plays louder than 1.0 (nor its own configured ceiling). Calls return at once; outcomes arrive as
    :class:`PlayerEvent` from :meth:`poll` (on the main loop).
    """

    def start(self, slot: int, path: str, level: float, start_ms: int = 0) -> int:
        """Play ``path`` on ``slot`` (stopping what it played); returns the play's token for its events."""
        ...

    def set_level(self, slot: int, level: float) -> None: ...

    def pause(self, slot: int) -> None: ...

    def resume(self, slot: int) -> None: ...

    def stop(self, slot: int) -> None: ...

    def poll(self) -> list[PlayerEvent]:
        """Events queued since the last poll (thread-safe, never blocks)."""
        ...

    def set_waker(self, waker: Callable[[], None] | None) -> None:
        """Called (from any thread) when an event was queued, so the main loop pumps promptly."""
        ...


class ResumeStore(Protocol):
    """The small file that lets a session resume after a crash or power cut."""

    def save(self, state: Mapping[str, Any]) -> None: ...

    def load(self) -> dict[str, Any] | None: ...

    def clear(self) -> None: ...


class Percussion(Protocol):
    """Play along's instruments: a mixer that keeps its output open (never libvlc's media start path)."""

    def play(self, instrument: str, delay_s: float, level: float) -> None:
        """Sound ``instrument`` ``delay_s`` from now (0: at once), its peak at ``level`` (0..1 of full scale,
        never above the music's ceiling). Returns at once; never raises."""
        ...


class BeatGrids(Protocol):
    """A song's beat grid for Play along (its side file, else the catalogue's summary), or None."""

    def grid_for(self, song: Song) -> BeatGrid | None: ...


class Speech(Protocol):
    """The gentle voice's text to speech (:mod:`kiosk.adapters.speech`): rendered ahead on a worker thread and
    cached, so speaking never waits on rendering. Every method returns at once and never raises."""

    def unavailable(self) -> str:
        """ "" when a natural voice is ready; else why the kiosk does not speak (plain words for staff)."""
        ...

    def prepare(self, text: str) -> None:
        """Render ``text`` in the background (nothing to do when it is cached or already queued)."""
        ...

    def ready(self, text: str) -> SpeechClip | None:
        """The rendered clip of ``text`` when it is ready now (None: not yet, or rendering failed)."""
        ...
