"""What a resident, a button, the dial, a timer or staff can ask of a session, and what the UI sees back.

The session engine (:mod:`kiosk.domain.session`) takes :class:`Intent` values with their :class:`Source` and
publishes a :class:`SessionView` snapshot after every change. The UI, the GPIO LEDs and the headless driver
only ever read snapshots; they never reach into the engine's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.domain.models import Mode


class Intent(StrEnum):
    PLAY_PAUSE = "play_pause"
    NEXT = "next"  # "Another song"
    LIKE = "like"  # "I like this"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    STOP = "stop"
    DISTRESS = "distress"  # stop now, fade out fast, flag the song for staff review
    TUNE_DECADE = "tune_decade"  # arg: +1 / -1 (radio dial)
    CHOOSE_RESIDENTS = "choose_residents"  # arg: tuple of resident ids (empty: the home's mix)
    CHOOSE_MODE = "choose_mode"  # arg: Mode
    MORE_MUSIC = "more_music"  # from idle or session end: start (or continue) music


class Source(StrEnum):
    TOUCH = "touch"
    BUTTON = "button"
    DIAL = "dial"
    AUTO = "auto"
    STAFF = "staff"


class Status(StrEnum):
    IDLE = "idle"
    CHOOSING = "choosing"  # lounge mode: picking who is listening
    PLAYING = "playing"
    PAUSED = "paused"
    ENDED = "ended"  # planned end: music faded out, one big "More music"
    CALM = "calm"  # stopped as upsetting: a calm neutral screen for a few seconds (no praise), then idle


@dataclass(frozen=True)
class SongView:
    song_id: str
    title: str
    artist: str
    year: int | None
    decade: str | None
    duration_s: float
    lyrics_path: str | None = None
    liked: bool = False
    art_path: str | None = None  # album art (a cover image beside the song), when the catalogue found one
    path: str = ""  # the audio file (the UI looks for art embedded in it, off the UI thread)


@dataclass(frozen=True)
class SessionView:
    """Everything a screen or an LED needs to show the session, as plain values."""

    status: Status
    mode: Mode | None = None
    resident_ids: tuple[str, ...] = ()
    song: SongView | None = None
    position_ms: int = 0
    volume_pct: int = 0
    volume_cap_pct: int = 100
    quiet_hours: bool = False
    message: str = ""  # for staff: e.g. "5 songs in a row could not be played"
    decade_tuned: str | None = None  # shown while the dial tunes, e.g. "1950s"
