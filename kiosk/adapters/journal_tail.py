"""Sessions the journal's tail shows started and never ended: read once at kiosk start.

A kill or power cut between a session's ``session_start`` and its first resume save leaves a session that only
the journal knows; the engine closes it as ``shutdown`` at the next start (issue 13: resume or close, never
neither). Only the newest day files' tails are read (by ``seq``, not by file name: after a clock step back the
newest events may sit in an earlier-dated file), so start-up stays cheap on an SD card.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.adapters.journal import _tail_seq, journal_days, tail_lines
from kiosk.domain.events import EventType

TAIL_BYTES = 256 * 1024  # per day file: hours of events
NEWEST_DAYS = 2  # a session may run over midnight


def _tail_events(events_dir: Path, tail_bytes: int) -> list[dict[str, Any]]:
    days = sorted(journal_days(events_dir), key=_tail_seq)[-NEWEST_DAYS:]
    events: list[dict[str, Any]] = []
    for path in days:
        events += _read_tail(path, tail_bytes)
    events.sort(key=lambda e: e["seq"])
    return events


def session_ended(events_dir: Path, session_id: str, tail_bytes: int = TAIL_BYTES) -> bool:
    """Whether the tail holds ``session_end`` of ``session_id``: a session that ended is never resumed, even
    when a kill or power cut came between its ``session_end`` and the removal of its resume point."""
    return any(
        e.get("session") == session_id and e["type"] == EventType.SESSION_END
        for e in _tail_events(events_dir, tail_bytes)
    )


def unended_sessions(events_dir: Path, tail_bytes: int = TAIL_BYTES) -> list[list[dict[str, Any]]]:
    """The events (oldest first) of each session in the tail with a ``session_start`` and no ``session_end``."""
    events = _tail_events(events_dir, tail_bytes)
    started: dict[str, list[dict[str, Any]]] = {}
    ended: set[str] = set()
    for event in events:
        session = event.get("session")
        if not isinstance(session, str):
            continue
        if event["type"] == EventType.SESSION_START:
            started.setdefault(session, [])
        elif event["type"] == EventType.SESSION_END:
            ended.add(session)
        if session in started:
            started[session].append(event)
    return [evs for sid, evs in started.items() if sid not in ended]


def _read_tail(path: Path, tail_bytes: int) -> list[dict[str, Any]]:
    out = []
    for raw in (tail_lines(path, tail_bytes) or ([], 0))[0]:
        try:
            event = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue  # a torn line (power cut) or an empty one
        if (
            isinstance(event, dict)
            and isinstance(event.get("seq"), int)
            and isinstance(event.get("type"), str)
        ):
            out.append(event)
    return out
