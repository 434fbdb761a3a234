"""Fold journal events into session rollups: the one definition of a rollup, for the engine and the rebuild.

:class:`RollupFold` takes events one at a time (in journal order) and hands back each session's rollup when the
session ends. It keeps only the sessions still open (at most one per kiosk: a new ``session_start`` on a kiosk
closes a session left open there by a crash), so folding a year of journal runs in constant memory.

Rules (the rollup keys are :data:`kiosk.domain.events.ROLLUP_KEYS`):

- ``session_start`` opens a session: ``mode`` from its detail, ``resident_ids`` from ``detail.residents`` (else
  the event's ``resident``), ``kiosk_id``, ``started_at``. A ``session_start`` with ``resumed`` true for a session
  still open continues it.
- ``song_start`` adds a play ``{song_id, title, artist, decade, outcome, listened_s, liked, at}``; ``like`` marks
  the current play liked (``likes`` counts like events); ``song_end`` sets the outcome and ``listened_s``.
  A play with no ``song_end`` when the session ends counts as ``stopped``.
- ``songs_*`` count outcomes; ``distress_stops`` counts plays whose outcome is ``distress`` (a ``distress`` event
  followed by a ``song_end`` without an outcome gives that outcome).
- ``session_end`` closes it: ``ended_at``, ``end_reason``, ``listened_s`` (the event's, else the sum of the plays).
  A session never ended (power cut) is closed by :meth:`RollupFold.finish` or by the kiosk's next session with
  ``end_reason`` ``"interrupted"`` and ``ended_at`` = its last event's time.
- ``clock_ok`` is true only when every event of the session had a trusted clock.
- ``consent_withdrawn`` (its ``resident``) takes that resident out of the session's ``resident_ids``; a session
  whose every resident withdrew gives no rollup at all (as the engine stores none).

Observation events become observation documents (:func:`observation_from_event`), handed back by
:meth:`RollupFold.feed` under their own kind so a caller can store them apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.events import EventType, SongOutcome

INTERRUPTED = "interrupted"


@dataclass
class _OpenSession:
    session_id: str
    kiosk_id: str
    resident_ids: list[str]
    mode: str
    started_at: str
    last_at: str
    clock_ok: bool
    plays: list[dict[str, Any]] = field(default_factory=list)
    likes: int = 0
    distress_pending: bool = False
    withdrawn: bool = False  # someone withdrew consent during the session
    play_along: dict[str, Any] | None = None  # the play_along event's detail

    def current(self) -> dict[str, Any] | None:
        return self.plays[-1] if self.plays and self.plays[-1]["outcome"] is None else None


def _as_str(value: Any) -> str:
    return "" if value is None else str(value)


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _close(s: _OpenSession, ended_at: str, reason: str, listened_s: float | None) -> dict[str, Any]:
    for play in s.plays:
        if play["outcome"] is None:
            play["outcome"] = str(SongOutcome.STOPPED)
    counts = {o: 0 for o in SongOutcome}
    for play in s.plays:
        if play["outcome"] in counts:
            counts[SongOutcome(play["outcome"])] += 1
    total_s = listened_s if listened_s is not None else sum(_num(p["listened_s"]) for p in s.plays)
    doc: dict[str, Any] = {
        "session_id": s.session_id,
        "kiosk_id": s.kiosk_id,
        "resident_ids": list(s.resident_ids),
        "mode": s.mode,
        "started_at": s.started_at,
        "ended_at": ended_at,
        "clock_ok": s.clock_ok,
        "end_reason": reason,
        "listened_s": round(total_s, 3),
        "songs_started": len(s.plays),
        "songs_completed": counts[SongOutcome.COMPLETED],
        "songs_skipped": counts[SongOutcome.SKIPPED],
        "songs_failed": counts[SongOutcome.FAILED],
        "likes": s.likes,
        "distress_stops": counts[SongOutcome.DISTRESS],
        "plays": s.plays,
    }
    if s.play_along is not None:
        doc["play_along"] = s.play_along
    return doc


def observation_from_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """An ``observation`` journal event -> the observation document stored with the session."""
    detail = dict(event.get("detail") or {})
    residents = detail.get("resident_ids") or ([event["resident"]] if event.get("resident") else [])
    doc: dict[str, Any] = {
        "session_id": detail.get("session_id") or event.get("session"),
        "resident_ids": list(residents),
        "at": detail.get("at") or event.get("at"),
        "scales": dict(detail.get("scales") or {}),
        "reactions": list(detail.get("reactions") or []),
        "by": detail.get("by", ""),
    }
    for key in ("song_id", "before", "after", "form", "kind"):
        if key in detail:
            doc[key] = detail[key]
    return doc


class RollupFold:
    """Turns a stream of journal events into session rollups, keeping only open sessions in memory."""

    def __init__(self) -> None:
        self._open: dict[str, _OpenSession] = {}
        self._by_kiosk: dict[str, str] = {}

    @property
    def open_sessions(self) -> int:
        """How many sessions are open now (the fold's whole memory)."""
        return len(self._open)

    def feed(self, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Take one event; return what it completed: ``[("session", rollup)]``, ``[("observation", doc)]``..."""
        kind = event.get("type")
        out: list[tuple[str, dict[str, Any]]] = []
        if kind == EventType.OBSERVATION:
            return [("observation", observation_from_event(event))]
        sid = event.get("session")
        if not sid:
            return out
        sid = str(sid)
        at = _as_str(event.get("at"))
        detail: Mapping[str, Any] = event.get("detail") or {}
        kiosk = _as_str(event.get("kiosk"))
        s = self._open.get(sid)
        if kind == EventType.SESSION_START:
            if s is not None and detail.get("resumed"):
                s.last_at = at
                s.clock_ok = s.clock_ok and bool(event.get("clock_ok", False))
                return out
            if s is not None:  # the same id started again without ending: close the old one first
                out += self._end(s, s.last_at, INTERRUPTED, None)
            other = self._by_kiosk.get(kiosk)
            if other is not None and other in self._open:
                old = self._open[other]
                out += self._end(old, old.last_at, INTERRUPTED, None)
            residents = detail.get("residents") or ([event["resident"]] if event.get("resident") else [])
            s = _OpenSession(
                session_id=sid,
                kiosk_id=kiosk,
                resident_ids=[str(r) for r in residents],
                mode=_as_str(detail.get("mode")),
                started_at=at,
                last_at=at,
                clock_ok=bool(event.get("clock_ok", False)),
            )
            self._open[sid] = s
            self._by_kiosk[kiosk] = sid
            return out
        if s is None:  # events of a session whose start is outside what we read
            return out
        s.last_at = at or s.last_at
        s.clock_ok = s.clock_ok and bool(event.get("clock_ok", False))
        if kind == EventType.SONG_START:
            cur = s.current()
            if cur is not None:
                cur["outcome"] = str(SongOutcome.STOPPED)
            s.distress_pending = False
            s.plays.append(
                {
                    "song_id": _as_str(event.get("song")),
                    "title": _as_str(detail.get("title")),
                    "artist": _as_str(detail.get("artist")),
                    "decade": _as_str(detail.get("decade")),
                    "outcome": None,
                    "listened_s": 0.0,
                    "liked": False,
                    "at": at,
                    **({"intro": True} if detail.get("intro") is True else {}),
                }
            )
        elif kind == EventType.LIKE:
            s.likes += 1
            cur = s.current()
            if cur is not None:
                cur["liked"] = True
        elif kind == EventType.DISTRESS:
            s.distress_pending = True
        elif kind == EventType.CONSENT_WITHDRAWN:
            gone = _as_str(event.get("resident"))
            s.resident_ids = [r for r in s.resident_ids if r != gone]
            s.withdrawn = True
        elif kind == EventType.SONG_END:
            cur = s.current()
            if cur is not None:
                outcome = detail.get("outcome") or (
                    SongOutcome.DISTRESS if s.distress_pending else SongOutcome.STOPPED
                )
                cur["outcome"] = str(outcome)
                cur["listened_s"] = round(_num(detail.get("listened_s")), 3)
            s.distress_pending = False
        elif kind == EventType.PLAY_ALONG:
            s.play_along = dict(detail)
        elif kind == EventType.SESSION_END:
            listened = detail.get("listened_s")
            reason = _as_str(detail.get("reason")) or "stop"
            out += self._end(s, at, reason, None if listened is None else _num(listened))
        return out

    def _end(
        self, s: _OpenSession, at: str, reason: str, listened_s: float | None
    ) -> list[tuple[str, dict[str, Any]]]:
        """Close ``s``: its rollup, or nothing when everyone in it withdrew consent."""
        self._open.pop(s.session_id, None)
        if self._by_kiosk.get(s.kiosk_id) == s.session_id:
            del self._by_kiosk[s.kiosk_id]
        if s.withdrawn and not s.resident_ids:
            return []
        return [("session", _close(s, at, reason, listened_s))]

    def finish(self) -> list[dict[str, Any]]:
        """Close every session still open (the journal ended without their ``session_end``)."""
        return [
            doc for s in list(self._open.values()) for _, doc in self._end(s, s.last_at, INTERRUPTED, None)
        ]


def fold_events(events: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stream ``(kind, document)`` pairs from events: ``"session"`` rollups and ``"observation"`` docs."""
    fold = RollupFold()
    for event in events:
        yield from fold.feed(event)
    for rollup in fold.finish():
        yield ("session", rollup)
