"""Tremor-safe touch rules, as plain Python: one action per control per 400 ms, and the staff long press."""

from __future__ import annotations

import time
from collections.abc import Callable

Now = Callable[[], float]


class TapFilter:
    """Taps on the same control within ``window_s`` count once (a shaking hand, a leaning palm).

    Keyed by control name, so "Louder" then "Quieter" in quick succession both count.
    """

    def __init__(self, window_s: float = 0.4, now: Now = time.monotonic):
        self.window_s = window_s
        self._now = now
        self._last: dict[str, float] = {}

    def accept(self, control: str, window_s: float | None = None) -> bool:
        """``window_s``: this control's own window (a Play along pad: a bounce, not the 400 ms rule)."""
        t = self._now()
        last = self._last.get(control)
        window = self.window_s if window_s is None else window_s
        if last is not None and t - last < window:
            return False
        self._last[control] = t
        return True


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
