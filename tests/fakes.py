"""Fakes of the ports, for testing the domain in isolation (never instead of testing an adapter)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None, trusted: bool = True, basis: str | None = None):
        self._now = start or datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
        self._mono = 1000.0
        self._trusted = trusted
        # why it is trusted (kiosk.domain.clock_trust.ClockBasis): synchronised unless told otherwise
        self._basis = basis or ("synchronised" if trusted else "untrusted")

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def trusted(self) -> bool:
        return self._trusted

    def basis(self) -> str:
        return self._basis

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds


class FakeJournal:
    """Keeps events in a list."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.syncs = 0

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
        self.events.append(
            {
                "type": type,
                "session_id": session_id,
                "resident_id": resident_id,
                "song_id": song_id,
                "source": source,
                "detail": dict(detail or {}),
            }
        )

    def sync(self) -> None:
        self.syncs += 1

    def maybe_sync(self) -> None:
        """The pump's periodic sync: nothing waits in a list."""

    def unended_sessions(self) -> list[list[dict[str, Any]]]:
        """As the real journal reports them (its field names), from the events kept here."""
        started: dict[str, list[dict[str, Any]]] = {}
        ended = set()
        for e in self.events:
            sid = e["session_id"]
            if e["type"] == "session_start":
                started.setdefault(sid, [])
            elif e["type"] == "session_end":
                ended.add(sid)
            if sid in started:
                started[sid].append(
                    {"type": e["type"], "session": sid, "resident": e["resident_id"], "song": e["song_id"],
                     "detail": e["detail"]}
                )  # fmt: skip
        return [events for sid, events in started.items() if sid not in ended]

    def session_ended(self, session_id: str) -> bool:
        return any(e["session_id"] == session_id and e["type"] == "session_end" for e in self.events)

    def of_type(self, type: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == type]


class FakeSessionControl:
    """A SessionControl that records every post (with the thread it came from) and publishes views by hand."""

    def __init__(self, view: Any = None) -> None:
        import threading

        from kiosk.domain.intents import SessionView, Status

        self._view = view if view is not None else SessionView(status=Status.IDLE)
        self._listeners: list[Any] = []
        self.posts: list[tuple[Any, Any, object]] = []  # (intent, source, arg)
        self.post_threads: list[int] = []
        self.waker: Any = None
        self._threading = threading

    def post(self, intent: Any, source: Any, arg: object = None) -> None:
        self.posts.append((intent, source, arg))
        self.post_threads.append(self._threading.get_ident())

    def view(self) -> Any:
        return self._view

    def subscribe(self, listener: Any) -> None:
        self._listeners.append(listener)

    def pump(self) -> None:
        pass

    def set_waker(self, waker: Any) -> None:
        self.waker = waker

    def publish(self, view: Any) -> None:
        """Change the session's state and tell every listener, as the engine does after a change."""
        self._view = view
        for listener in list(self._listeners):
            listener(view)

    def intents(self) -> list[Any]:
        return [intent for intent, _source, _arg in self.posts]


class FakePlayer:
    """A player that plays nothing: records what the engine asked, and lets the test say how songs end.

    Every ``start`` queues a PLAYING event (unless ``confirm`` is False); :meth:`finish` and :meth:`fail`
    queue the end of the current play on a slot.
    """

    def __init__(self, slots: int = 2, confirm: bool = True) -> None:
        from kiosk.domain.playback import PlayerEvent, PlayerEventKind

        self._Event, self._Kind = PlayerEvent, PlayerEventKind
        self.confirm = confirm
        self.state = ["stopped"] * slots  # stopped | playing | paused
        self.paths: list[str | None] = [None] * slots
        self.levels: list[float] = [0.0] * slots
        self.tokens = [0] * slots
        self.starts: list[tuple[int, str, float, int]] = []
        self.max_level_heard = 0.0  # the loudest level ever set on a slot that was sounding
        self._next = 0
        self._events: list[Any] = []
        self.waker: Any = None

    def start(self, slot: int, path: str, level: float, start_ms: int = 0) -> int:
        self._next += 1
        self.tokens[slot] = self._next
        self.state[slot] = "playing"
        self.paths[slot] = path
        self.levels[slot] = level
        self.max_level_heard = max(self.max_level_heard, level)
        self.starts.append((slot, path, level, start_ms))
        if self.confirm:
            self._events.append(self._Event(slot, self._next, self._Kind.PLAYING))
        return self._next

    def set_level(self, slot: int, level: float) -> None:
        self.levels[slot] = level
        if self.state[slot] == "playing":
            self.max_level_heard = max(self.max_level_heard, level)

    def pause(self, slot: int) -> None:
        if self.state[slot] == "playing":
            self.state[slot] = "paused"

    def resume(self, slot: int) -> None:
        if self.state[slot] == "paused":
            self.state[slot] = "playing"
            self.max_level_heard = max(self.max_level_heard, self.levels[slot])

    def stop(self, slot: int) -> None:
        self.state[slot] = "stopped"
        self._next += 1
        self.tokens[slot] = self._next

    def poll(self) -> list[Any]:
        out, self._events = self._events, []
        return out

    def set_waker(self, waker: Any) -> None:
        self.waker = waker

    def finish(self, slot: int, length_ms: int = 0) -> None:
        self.state[slot] = "stopped"
        self._events.append(self._Event(slot, self.tokens[slot], self._Kind.ENDED, "", length_ms))

    def fail(self, slot: int, error: str = "libvlc could not play this file") -> None:
        self.state[slot] = "stopped"
        self._events.append(self._Event(slot, self.tokens[slot], self._Kind.ERROR, error))

    def sounding(self) -> list[int]:
        return [i for i, s in enumerate(self.state) if s == "playing"]


class FakeSpeech:
    """The speech port without sound: every text is "rendered" at once (``instant``) or when the test says
    (:meth:`render_all`); a clip lasts ``s_per_word`` per word. Records what was asked."""

    def __init__(self, instant: bool = True, s_per_word: float = 0.4, unavailable: str = "") -> None:
        self.instant = instant
        self.s_per_word = s_per_word
        self.why = unavailable
        self.prepared: list[str] = []
        self.asked: list[str] = []
        self.rendered: dict[str, Any] = {}

    def unavailable(self) -> str:
        return self.why

    def _clip(self, text: str) -> Any:
        from kiosk.domain.playback import SpeechClip

        return SpeechClip(f"/speech/{abs(hash(text))}.wav", self.s_per_word * len(text.split()))

    def prepare(self, text: str) -> None:
        self.prepared.append(text)
        if self.instant:
            self.rendered[text] = self._clip(text)

    def ready(self, text: str) -> Any:
        self.asked.append(text)
        return self.rendered.get(text)

    def render_all(self) -> None:
        for text in self.prepared:
            self.rendered[text] = self._clip(text)

    def texts(self) -> list[str]:
        return self.prepared + self.asked
