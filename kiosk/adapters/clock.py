"""The real clock, and whether to trust it.

A Pi without a real-time clock boots with an old time (fake-hwclock restores the last shutdown time) until it
reaches a time server. The wall clock is not trusted while it reads before 2024, or after it jumped backwards,
until it has run forward past the latest time seen.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

EARLIEST_TRUSTED = datetime(2024, 1, 1, tzinfo=UTC)


class SystemClock:
    """Implements :class:`kiosk.domain.ports.Clock`."""

    def __init__(self) -> None:
        self._latest_wall = 0.0
        self._backwards = False

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def trusted(self) -> bool:
        wall = time.time()
        if wall + 2.0 < self._latest_wall:
            self._backwards = True
        elif wall >= self._latest_wall:
            self._backwards = False
            self._latest_wall = wall
        return not self._backwards and datetime.fromtimestamp(wall, UTC) >= EARLIEST_TRUSTED
