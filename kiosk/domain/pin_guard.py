"""Lock the staff PIN entry after too many wrong tries (default: 5 wrong -> 5 minutes).

Pure and clock-injected, so the UI's staff screen and its tests share one rule. The guard does not check the
PIN itself (that is :func:`kiosk.pin.verify_pin`); the caller reports each outcome::

    guard = PinGuard(clock.monotonic)
    if guard.locked():
        show(f"Try again in {guard.remaining_s():.0f} s")
    elif verify_pin(entered, config.kiosk.staff_pin_hash):
        guard.succeeded(); enter_staff_mode()
    else:
        guard.failed()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class LockoutStore(Protocol):
    """Where the count of wrong tries and the lockout's remaining seconds outlive a restart."""

    def load(self, lockout_s: float) -> tuple[int, float]:
        """(wrong tries, remaining lockout seconds, at most ``lockout_s``); (0, 0.0) when nothing is kept."""
        ...

    def save(self, wrong_tries: int, remaining_s: float) -> None: ...


class PinGuard:
    """Counts wrong PIN tries; after ``max_tries`` in a row, locks for ``lockout_s`` seconds."""

    def __init__(self, monotonic: Callable[[], float], *, max_tries: int = 5, lockout_s: float = 300.0):
        if max_tries < 1 or lockout_s < 0:
            raise ValueError("max_tries must be >= 1 and lockout_s >= 0")
        self._monotonic = monotonic
        self.max_tries = max_tries
        self.lockout_s = lockout_s
        self.wrong_tries = 0
        self.locked_until: float | None = None  # monotonic seconds, or None when not locked

    def _expire(self) -> None:
        if self.locked_until is not None and self._monotonic() >= self.locked_until:
            self.locked_until = None
            self.wrong_tries = 0

    def locked(self) -> bool:
        """Whether PIN entry is refused right now."""
        self._expire()
        return self.locked_until is not None

    def remaining_s(self) -> float:
        """Seconds until PIN entry is allowed again (0 when not locked)."""
        self._expire()
        if self.locked_until is None:
            return 0.0
        return max(0.0, self.locked_until - self._monotonic())

    def tries_left(self) -> int:
        """Wrong tries still allowed before the lockout (0 while locked)."""
        if self.locked():
            return 0
        return self.max_tries - self.wrong_tries

    def failed(self) -> bool:
        """Record a wrong PIN; True when this try started a lockout. Ignored while already locked."""
        if self.locked():
            return False
        self.wrong_tries += 1
        if self.wrong_tries >= self.max_tries:
            self.locked_until = self._monotonic() + self.lockout_s
            return True
        return False

    def snapshot(self) -> tuple[int, float]:
        """(wrong tries, remaining lockout seconds): what a restart must not forget."""
        remaining = self.remaining_s()
        return self.wrong_tries, remaining

    def restore(self, wrong_tries: int, remaining_s: float) -> None:
        """Take up a kept state again (remaining seconds capped at ``lockout_s``: the wall clock can jump)."""
        remaining = min(max(0.0, float(remaining_s)), self.lockout_s)
        self.wrong_tries = min(max(0, int(wrong_tries)), self.max_tries)
        self.locked_until = self._monotonic() + remaining if remaining > 0 else None
        if self.locked_until is None and self.wrong_tries >= self.max_tries:
            self.wrong_tries = 0  # a lockout that has run out

    def succeeded(self) -> None:
        """Record a right PIN: the count of wrong tries starts again."""
        self.wrong_tries = 0
        self.locked_until = None
