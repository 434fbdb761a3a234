"""The engagement journal's vocabulary: event types, and the rollup and observation documents.

The journal (``<data>/events/YYYY-MM-DD.jsonl``) holds one JSON object per line::

    {"v": 1, "at": "2026-06-01T10:00:00.123Z", "clock_ok": true, "mono": 1234.567, "seq": 42,
     "kiosk": "lounge-1", "session": "<uuid>", "resident": "<opaque uuid or null>", "type": "song_end",
     "song": "<song_id or null>", "source": "touch|button|dial|auto|staff|null", "detail": {...}}

Residents appear only as their opaque ``resident_id``. The ``detail`` keys per type are listed below; readers
must ignore keys they do not know (the schema grows by adding keys; ``v`` changes only on an incompatible change).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class EventType(StrEnum):
    SESSION_START = "session_start"  # detail: mode, residents (list of ids), resumed (bool)
    SESSION_END = "session_end"  # detail: reason (length|idle|stop|distress|failures|shutdown), listened_s
    SONG_START = "song_start"  # detail: title, artist, year, decade, mode, reason (why selection chose it), intro (true when introduced)
    SONG_END = (
        "song_end"  # detail: outcome (completed|skipped|failed|stopped|distress), listened_s, at_s, error
    )
    PAUSE = "pause"  # detail: at_s
    RESUME = "resume"  # detail: paused_s
    LIKE = "like"  # detail: at_s
    DISTRESS = "distress"  # detail: at_s
    VOLUME = "volume"  # detail: volume_pct, capped (bool)
    MODE = "mode"  # detail: mode, chosen_by (resident|schedule|staff)
    TUNE = "tune"  # detail: decade
    OBSERVATION = "observation"  # staff form, see OBSERVATION_SCALES / REACTIONS
    AVOID_CHANGE = "avoid_change"  # detail: action (added|dismissed), song
    STAFF = "staff"  # detail: action (login|login_failed|lockout|export|rescan|import...)
    # The resident (``resident``) withdrew consent during this session: the last record naming them; nothing
    # after it does, and the session's rollup leaves them out (withdrawal is not erasure: earlier events stay).
    CONSENT_WITHDRAWN = "consent_withdrawn"
    # Once per session that played Play along music, before session_end. detail: presses, on_beat, music_min,
    # presses_per_min, on_beat_share, by_instrument ({instrument: presses}). See kiosk.domain.play_along.
    PLAY_ALONG = "play_along"
    # The gentle voice (kiosk.domain.session_voice); song_start then carries ``intro: true``.
    INTRO = "intro"  # detail: duration_s, age (bool: the resident's age then was said; personal mode only)
    ORIENTATION = "orientation"  # detail: duration_s
    CUE = "cue"  # detail: line (index in the LRC), line_ms, duration_s
    IMAGERY = "imagery"  # detail: script, part (index), duration_s


class SongOutcome(StrEnum):
    COMPLETED = "completed"
    SKIPPED = "skipped"
    FAILED = "failed"
    STOPPED = "stopped"
    DISTRESS = "distress"


# MiDAS-style staff observation, each 0-100. A scale staff did not set is absent from the stored "scales".
# Observation documents carry "form": OBSERVATION_FORM; one without it came from the first form, whose sliders
# started at 50 and stored 50 even when nobody moved them: its 50s may mean "not set" (see
# :func:`observation_maybe_untouched`).
OBSERVATION_FORM = 2
# An observation with "kind": RESTLESS_NOW is a "Restless now" note staff made outside any session (no
# "session_id", reactions ["restless"]): the calm-ahead rule (kiosk.domain.calm_ahead) reads these only.
RESTLESS_NOW = "restless_now"
OBSERVATION_SCALES = ("interest", "response", "initiation", "involvement", "enjoyment")
REACTIONS = (
    "smiled",
    "sang",
    "tapped",
    "moved",
    "talked_memories",
    "calm",
    "restless",
    "tearful",
    "distressed",
)

# A session rollup document (stored per month in "rollups-YYYY-MM", written when a session ends):
#   session_id, kiosk_id, resident_ids (list), mode, started_at, ended_at (ISO UTC), clock_ok (bool),
#   end_reason, listened_s, songs_started, songs_completed, songs_skipped, songs_failed, likes,
#   distress_stops, plays: list of {song_id, title, artist, decade, outcome, listened_s, liked, at},
#   play_along (only when Play along music played): the play_along event's detail
ROLLUP_KEYS = (
    "session_id",
    "kiosk_id",
    "resident_ids",
    "mode",
    "started_at",
    "ended_at",
    "clock_ok",
    "end_reason",
    "listened_s",
    "songs_started",
    "songs_completed",
    "songs_skipped",
    "songs_failed",
    "likes",
    "distress_stops",
    "plays",
)
# Present only when the session played Play along music (older rollups never have it): its detail as above
OPTIONAL_ROLLUP_KEYS = ("play_along",)


def observation_maybe_untouched(observation: Mapping[str, Any]) -> bool:
    """True for an observation saved by the first form (no ``form``): any 50 in it may be a slider nobody
    moved. Reports show how many such forms they used; they never invent a 50 for a missing scale."""
    try:
        return int(observation.get("form") or 1) < OBSERVATION_FORM
    except (TypeError, ValueError):
        return True
