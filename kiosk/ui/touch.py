"""Tremor-safe touch rules, as plain Python: one action per control per 400 ms, and the staff long press."""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.domain.controls import REPEAT_S, RepeatFilter

Now = Callable[[], float]


class TapFilter(RepeatFilter):
    """The screen's tremor rule: taps on the same control (its ``control`` name) within ``window_s`` count
    once. The rule itself is the domain's (:class:`kiosk.domain.controls.RepeatFilter`, 400 ms), the one the
    session engine applies to buttons and keys; here it runs on the UI's clock, before the feedback shows."""

    def __init__(self, window_s: float = REPEAT_S, now: Now = time.monotonic):
        super().__init__(window_s, now=now)


class LongPress:
    """A press held for ``hold_s`` without lifting: staff mode's door. :meth:`poll` is called from a timer."""

    def __init__(self, hold_s: float = 3.0, now: Now = time.monotonic):
        self.hold_s = hold_s
        self._now = now
        self._since: float | None = None

    def down(self) -> None:
        self._since = self._now()

    def up(self) -> None:
        self._since = None

    @property
    def holding(self) -> bool:
        return self._since is not None

    def progress(self) -> float:
        if self._since is None:
            return 0.0
        return min(1.0, (self._now() - self._since) / self.hold_s)

    def poll(self) -> bool:
        """True once when the hold completes (then it waits for the next press)."""
        if self._since is not None and self._now() - self._since >= self.hold_s:
            self._since = None
            return True
        return False
