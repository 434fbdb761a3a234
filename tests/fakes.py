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
