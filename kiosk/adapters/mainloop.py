"""A headless main loop for the session engine (``kiosk simulate``, benchmarks, tests).

The Kivy app pumps from its own clock; without a window this loop does the same: it sleeps on an event that
the player's waker sets (libvlc's thread), and pumps at least every ``tick_s`` for fades and timers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kiosk.domain.ports import SessionControl


class HeadlessLoop:
    def __init__(self, control: SessionControl, tick_s: float = 0.02):
        self.control = control
        self.tick_s = tick_s
        self._wake = threading.Event()
        control.set_waker(self._wake.set)

    def run_for(self, seconds: float) -> None:
        self.run_until(lambda: False, seconds)

    def run_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Pump until ``done()`` (True) or ``timeout_s`` passes (False)."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.control.pump()
            if done():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._wake.wait(min(self.tick_s, left))
            self._wake.clear()
