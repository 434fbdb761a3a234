"""The staff PIN lockout kept across restarts: ``<data>/pin-lockout.json`` (0600, left out of backups).

``{"wrong_tries": 3, "remaining_s": 0.0, "saved_at": <wall-clock seconds>}``. On load the time passed since
``saved_at`` is taken off the remaining seconds (a clock that went back counts as no time passed), and the
result is capped at the lockout length, so a wrong clock can never lock staff out for longer than that.
A missing or damaged file means no wrong tries. Implements :class:`kiosk.domain.pin_guard.LockoutStore`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.adapters.atomic import atomic_write_bytes

log = logging.getLogger(__name__)

LOCKOUT_FILE = "pin-lockout.json"


class PinLockoutFile:
    def __init__(self, data_dir: Path, *, wall: Callable[[], float] = time.time):
        self.path = Path(data_dir) / LOCKOUT_FILE
        self._wall = wall

    def load(self, lockout_s: float) -> tuple[int, float]:
        try:
            doc = json.loads(self.path.read_bytes())
            wrong = int(doc["wrong_tries"])
            remaining = float(doc["remaining_s"])
            saved_at = float(doc["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0
        passed = max(0.0, self._wall() - saved_at)
        return max(0, wrong), min(max(0.0, remaining - passed), max(0.0, lockout_s))

    def save(self, wrong_tries: int, remaining_s: float) -> None:
        doc = {
            "wrong_tries": int(wrong_tries),
            "remaining_s": round(float(remaining_s), 3),
            "saved_at": self._wall(),
        }
        try:
            atomic_write_bytes(self.path, json.dumps(doc).encode("utf-8"))
        except OSError as exc:  # a read-only or full data folder: the lockout still holds in memory
            log.warning("could not keep the PIN lockout in %s (%s)", self.path.name, exc.strerror or exc)
