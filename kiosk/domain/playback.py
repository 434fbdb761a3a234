"""Small values shared by the session engine and the player adapter: player events, the time policy, levels.

Kept apart from :mod:`kiosk.domain.session` so that :mod:`kiosk.domain.ports` can name them without a cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class PlayerEventKind(StrEnum):
    PLAYING = "playing"  # audio started (libvlc MediaPlayerPlaying)
    ENDED = "ended"  # the media ran out (libvlc MediaPlayerEndReached)
    ERROR = "error"  # libvlc MediaPlayerEncounteredError (missing file, unreadable stream...)


@dataclass(frozen=True)
class PlayerEvent:
    """One outcome from the player, handed from libvlc's thread to the main loop.

    ``token`` is the value :meth:`kiosk.domain.ports.Player.start` returned for that play, so an event of a song
    that was already replaced is recognised and ignored.
    """

    slot: int
    token: int
    kind: PlayerEventKind
    error: str = ""
    length_ms: int = 0  # the media's own length when known (0 = unknown)


@dataclass(frozen=True)
class PolicyNow:
    """What the time of day allows (from the schedule and quiet-hours policy)."""

    quiet_hours: bool = False
    volume_cap_pct: int = 100  # the quiet-hours cap (or 100 outside them)
    may_autostart: bool = True  # whether music may start without a person asking


def level_of(volume_pct: float, fade: float = 1.0, replaygain_db: float | None = None) -> float:
    """The linear amplitude factor (0..1) for a volume in percent, a fade factor and optional levelling.

    Levelling only ever turns a song down (a loud master) or up to at most the volume itself, so the result
    never exceeds ``volume_pct`` / 100: the cap holds whatever the tags say.
    """
    base = max(0.0, min(1.0, volume_pct / 100.0))
    gain = 1.0 if replaygain_db is None else min(1.0, 10 ** (replaygain_db / 20.0))
    return max(0.0, min(base, base * gain * max(0.0, min(1.0, fade))))


def level_db(level: float) -> float:
    """Amplitude factor -> decibels (``-inf`` for silence)."""
    return -math.inf if level <= 0 else 20.0 * math.log10(level)


VOICE_SLOT = 2  # the player slot the gentle voice speaks on (0 and 1 are the music's crossfade pair)


@dataclass(frozen=True)
class SpeechClip:
    """A rendered piece of speech: a WAV file ready to play, and how long it speaks."""

    path: str
    duration_s: float
