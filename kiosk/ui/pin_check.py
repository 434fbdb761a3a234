"""Staff PIN checking for the UI: :func:`kiosk.pin.verify_pin` and the 5-tries lockout rule of
:class:`kiosk.domain.pin_guard.PinGuard`, with logging and staff events (no PIN digits, no names)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kiosk.domain.pin_guard import LockoutStore
from kiosk.domain.pin_guard import PinGuard as LockoutRule
from kiosk.pin import hash_pin, verify_pin

__all__ = ["PinGuard", "make_hash", "verify_pin"]

log = logging.getLogger("kiosk.ui.staff")

MAX_TRIES = 5
LOCKOUT_S = 300.0


def make_hash(pin: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """A hash line for ``pin`` (demo mode and tests; staff use ``kiosk hash-pin``)."""
    return hash_pin(pin, n=n, r=r, p=p)


class PinGuard:
    """Counts wrong PINs: after ``MAX_TRIES`` wrong ones in a row the pad is locked for ``LOCKOUT_S``.

    The rule is :class:`kiosk.domain.pin_guard.PinGuard`; this adds the log lines and ``on_event`` ("login",
    "login_failed", "lockout"), which the kiosk journals as staff events, and keeps the count and the lockout
    in ``store`` (the data folder's ``pin-lockout.json``), so a restart does not reset them.
    """

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        on_event: Callable[[str], None] | None = None,
        max_tries: int = MAX_TRIES,
        lockout_s: float = LOCKOUT_S,
        store: LockoutStore | None = None,
    ):
        self._rule = LockoutRule(now, max_tries=max_tries, lockout_s=lockout_s)
        self._store = store
        if store is not None:
            self._rule.restore(*store.load(lockout_s))
        self._on_event = on_event or (lambda _action: None)
        self.max_tries = max_tries
        self.lockout_s = lockout_s

    @property
    def wrong(self) -> int:
        """Wrong tries in a row so far."""
        return self._rule.wrong_tries

    def locked_for_s(self) -> float:
        """Seconds left of the lockout (0 when the pad may be used)."""
        return self._rule.remaining_s()

    def record(self, ok: bool) -> None:
        """Account one finished check."""
        if ok:
            self._rule.succeeded()
            self._keep()
            log.info("staff mode opened")
            self._on_event("login")
            return
        locked_now = self._rule.failed()
        self._keep()
        log.warning("staff PIN wrong (%d of %d tries)", self.wrong, self.max_tries)
        self._on_event("login_failed")
        if locked_now:
            log.warning("staff PIN: %d wrong tries, pad locked for %d s", self.wrong, int(self.lockout_s))
            self._on_event("lockout")

    def _keep(self) -> None:
        if self._store is not None:
            self._store.save(*self._rule.snapshot())
