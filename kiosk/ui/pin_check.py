"""Staff PIN checking for the UI: scrypt verification and the 5-tries lockout.

``verify_pin`` uses :mod:`kiosk.pin` when it is present (the config work owns the format); the copy here reads
the same ``scrypt$n$r$p$salt_hex$hash_hex`` line so the UI works on its own. Constant-time comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable

log = logging.getLogger("kiosk.ui.staff")

MAX_TRIES = 5
LOCKOUT_S = 300.0


def _verify_pin_local(pin: str, stored_hash: str) -> bool:
    parts = (stored_hash or "").strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return False
    if n < 2 or n > 2**20 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16 or len(digest) < 16:
        return False
    candidate = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + 2**20, dklen=len(digest)
    )
    return hmac.compare_digest(candidate, digest)


def verify_pin(pin: str, stored_hash: str) -> bool:
    """Whether ``pin`` matches ``stored_hash``; False for an empty or damaged hash (never raises)."""
    try:
        from kiosk.pin import verify_pin as shared_verify  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _verify_pin_local(pin, stored_hash)
    return bool(shared_verify(pin, stored_hash))


def make_hash(pin: str, *, n: int = 2**14, r: int = 8, p: int = 1, salt: bytes | None = None) -> str:
    """A hash line for ``pin`` (demo mode and tests; staff use ``kiosk hash-pin``)."""
    import secrets

    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + 2**20, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


class PinGuard:
    """Counts wrong PINs: after ``MAX_TRIES`` wrong ones in a row the pad is locked for ``LOCKOUT_S``.

    Logs attempts without any personal data (no PIN digits, no names). ``on_event`` gets "login",
    "login_failed" or "lockout" so the lead can journal them as staff events.
    """

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        on_event: Callable[[str], None] | None = None,
        max_tries: int = MAX_TRIES,
        lockout_s: float = LOCKOUT_S,
    ):
        self._now = now
        self._on_event = on_event or (lambda _action: None)
        self.max_tries = max_tries
        self.lockout_s = lockout_s
        self.wrong = 0
        self._locked_until: float | None = None

    def locked_for_s(self) -> float:
        """Seconds left of the lockout (0 when the pad may be used)."""
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self._now()
        if left <= 0:
            self._locked_until = None
            self.wrong = 0
            return 0.0
        return left

    def record(self, ok: bool) -> None:
        """Account one finished check."""
        if ok:
            self.wrong = 0
            log.info("staff mode opened")
            self._on_event("login")
            return
        self.wrong += 1
        log.warning("staff PIN wrong (%d of %d tries)", self.wrong, self.max_tries)
        self._on_event("login_failed")
        if self.wrong >= self.max_tries:
            self._locked_until = self._now() + self.lockout_s
            log.warning("staff PIN: %d wrong tries, pad locked for %d s", self.wrong, int(self.lockout_s))
            self._on_event("lockout")
