"""Fakes of the ports, for testing the domain in isolation (never instead of testing an adapter)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None, trusted: bool = True):
        self._now = start or datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
        self._mono = 1000.0
        self._trusted = trusted

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def trusted(self) -> bool:
        return self._trusted

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
