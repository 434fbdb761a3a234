"""A cut-off session rebuilt from its journaled events (pure), for closing it at the next start.

A kill or power cut after ``session_start`` is journaled but before the first resume save leaves a session the
resume point does not name; the journal is then all there is. From its events: who (the start's residents,
less any who withdrew consent), the mode, the finished plays, and the song cut off mid-play (its listening
time counted up to the session's last journaled event in the same run, a lower bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.domain.events import EventType
from kiosk.domain.models import Mode, Song
from kiosk.domain.session_record import Play, SessionRecord


@dataclass
class CutOff:
    """What closing a cut-off session needs: its record, and the song playing at the cut (or None)."""

    session: SessionRecord
    play: Play | None
    listened_s: float


def _mode(value: object) -> Mode | None:
    try:
        return Mode(str(value)) if value else None
    except ValueError:
        return None


def _iso_s(value: object) -> str:
    """A journal time (``...123Z``) as the engine writes session and play times (``...+00:00``, seconds)."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).isoformat(timespec="seconds")
    except ValueError:
        return str(value or "")


def _float(value: object) -> float:
    try:
        return max(0.0, float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def cut_off_from_events(events: Sequence[Mapping[str, Any]], now_mono: float) -> CutOff | None:
    """Rebuild the session of ``events`` (one session's journal events, oldest first, starting with its
    ``session_start``); None when they do not start with one."""
    if not events or events[0].get("type") != EventType.SESSION_START:
        return None
    first = events[0]
    detail = first.get("detail") or {}
    residents = tuple(str(r) for r in detail.get("residents") or ())
    session = SessionRecord(
        session_id=str(first["session"]),
        resident_ids=residents,
        journaled_ids=residents,
        journal_on=True,
        mode=_mode(detail.get("mode")),
        started_at=_iso_s(first.get("at")),
        started_mono=now_mono,
        length_s=0.0,
        clock_ok=bool(first.get("clock_ok", True)),
    )
    play: Play | None = None
    play_mono: float | None = None
    last_mono: float | None = None
    for event in events:
        kind, d = event.get("type"), event.get("detail") or {}
        mono = event.get("mono")
        if kind == EventType.SESSION_START and d.get("resumed"):
            last_mono = play_mono = None  # a new run: monotonic times before it do not compare
        if kind == EventType.SONG_START and event.get("song"):
            year = d.get("year")
            song = Song(
                song_id=str(event["song"]),
                path="",
                title=str(d.get("title", "")),
                artist=str(d.get("artist", "")),
                year=year if isinstance(year, int) else None,
            )
            play = Play(song, str(d.get("reason", "")), 0, 0, _iso_s(event.get("at")))
            play.intro = bool(d.get("intro"))
            play_mono = float(mono) if isinstance(mono, int | float) else None
        elif kind == EventType.SONG_END and play is not None:
            play.outcome = str(d.get("outcome", ""))
            session.add_play(play, _float(d.get("listened_s")))
            play = play_mono = None
        elif kind == EventType.LIKE and play is not None:
            play.liked = True
        elif kind == EventType.MODE:
            session.mode = _mode(d.get("mode")) or session.mode
        elif kind == EventType.CONSENT_WITHDRAWN and event.get("resident"):
            session.journaled_ids = tuple(r for r in session.journaled_ids if r != event["resident"])
            if session.resident_ids and not session.journaled_ids:
                session.journal_on = (
                    False  # nobody left who agreed: no end, no rollup (as in a running kiosk)
                )
        if isinstance(mono, int | float):
            last_mono = float(mono)
    listened = 0.0
    if play is not None and play_mono is not None and last_mono is not None:
        listened = max(0.0, last_mono - play_mono)
    return CutOff(session, play, listened)
