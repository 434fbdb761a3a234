"""Learning from engagement: likes and full listens raise a song, early skips lower it, fading over weeks.

A play is a mapping ``{song_id, outcome, listened_s, liked, at}`` (``at`` ISO UTC or a datetime), as in the
session rollups' ``plays`` (see :mod:`kiosk.domain.events`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

SKIP_EARLY_S = 20.0  # a skip this early says "not this one"
LEARNING_HALF_LIFE_DAYS = 28.0

# Outcome signals for learning (before fading).
SIGNAL_LIKED = 1.0
SIGNAL_COMPLETED = 0.4
SIGNAL_EARLY_SKIP = -0.8
SIGNAL_LATE_SKIP = -0.1
SIGNAL_DISTRESS = -3.0


def as_utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _parse_at(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str) and value:
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def outcome_signal(play: Mapping[str, Any]) -> float:
    """What one play says about the song (before fading with age)."""
    outcome = play.get("outcome")
    signal = 0.0
    if play.get("liked") or outcome == "liked":
        signal += SIGNAL_LIKED
    if outcome == "completed":
        signal += SIGNAL_COMPLETED
    elif outcome == "skipped":
        listened = play.get("listened_s")
        early = isinstance(listened, int | float) and listened < SKIP_EARLY_S
        signal += SIGNAL_EARLY_SKIP if early else SIGNAL_LATE_SKIP
    elif outcome == "distress":
        signal += SIGNAL_DISTRESS
    return signal


def learned_scores(
    plays: Iterable[Mapping[str, Any]],
    now: datetime,
    half_life_days: float = LEARNING_HALF_LIFE_DAYS,
    recent_days: float = 3.0,
) -> tuple[dict[str, float], dict[str, datetime]]:
    """Per song: the faded sum of outcome signals; and when it was last played, for plays in the last
    ``recent_days`` (older plays matter only through the faded score).

    Fading is computed at day resolution for older plays (a four-week half-life makes hours irrelevant),
    which keeps a year of history cheap: only the date part of each timestamp is parsed.
    """
    now = as_utc(now)
    today = now.date().toordinal()
    scores: dict[str, float] = {}
    last: dict[str, datetime] = {}
    per_day = math.log(0.5) / half_life_days
    fade_by_days: dict[int, float] = {}
    day_of: dict[str, int] = {}
    near = int(recent_days) + 2  # days back where the exact time is worth parsing
    for play in plays:
        song_id = play.get("song_id")
        raw = play.get("at")
        if not isinstance(song_id, str):
            continue
        at: datetime | None = None
        if isinstance(raw, str) and len(raw) >= 10:
            date_part = raw[:10]
            ordinal = day_of.get(date_part)
            if ordinal is None:
                try:
                    ordinal = date.fromisoformat(date_part).toordinal()
                except ValueError:
                    ordinal = -1
                day_of[date_part] = ordinal
            if ordinal < 0:
                continue
            days = today - ordinal
            if days <= near:
                at = _parse_at(raw)
                if at is None:
                    continue
        else:
            at = _parse_at(raw)
            if at is None:
                continue
            days = today - at.date().toordinal()
        outcome = play.get("outcome")
        signal = SIGNAL_LIKED if play.get("liked") or outcome == "liked" else 0.0
        if outcome == "completed":
            signal += SIGNAL_COMPLETED
        elif outcome is not None and outcome != "liked":
            signal += outcome_signal({"outcome": outcome, "listened_s": play.get("listened_s")})
        if signal:
            if at is not None:
                age_days = max(0.0, (now - at).total_seconds() / 86400.0)
                fade = math.exp(per_day * age_days)
            else:
                fade = fade_by_days.get(days, 0.0)
                if not fade:
                    fade = fade_by_days[days] = math.exp(per_day * max(0, days))
            scores[song_id] = scores.get(song_id, 0.0) + signal * fade
        if at is not None and (now - at).total_seconds() <= recent_days * 86400.0:
            prev = last.get(song_id)
            if prev is None or at > prev:
                last[song_id] = at
    return scores, last
