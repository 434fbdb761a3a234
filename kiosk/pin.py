"""The staff PIN: a salted scrypt hash in kiosk.toml, never the PIN itself.

Format: ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`` (``kiosk hash-pin`` prints one line to paste into
``[kiosk] staff_pin_hash``). Standard library only (:func:`hashlib.scrypt`); comparison is constant-time.
A 4-8 digit PIN is weak on its own: scrypt makes each guess slow, and the UI's :class:`PinGuard` locks the
screen after 5 wrong tries.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

N_DEFAULT = 2**14  # about 16 MB and ~0.1-0.3 s on a Raspberry Pi 4
R_DEFAULT = 8
P_DEFAULT = 1
# The weakest parameters accepted (a hash with N=2 costs nothing to brute-force over 4-8 digits).
N_MIN, R_MIN, P_MIN = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
PIN_PATTERN = re.compile(r"[0-9]{4,8}")


@dataclass(frozen=True)
class PinHash:
    """A parsed hash line."""

    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def line(self) -> str:
        return f"scrypt${self.n}${self.r}${self.p}${self.salt.hex()}${self.digest.hex()}"


def check_pin_format(pin: str) -> None:
    """ValueError unless ``pin`` is 4 to 8 digits."""
    if not PIN_PATTERN.fullmatch(pin):
        raise ValueError("the PIN must be 4 to 8 digits (0-9)")


def check_strength(n: int, r: int, p: int) -> None:
    """ValueError when scrypt parameters are below N=2^14, r=8, p=1 (too cheap to guess 4-8 digits)."""
    if n < N_MIN or r < R_MIN or p < P_MIN:
        raise ValueError(
            f"PIN hash is too weak (scrypt N={n}, r={r}, p={p}; at least N={N_MIN}, r={R_MIN}, p={P_MIN} "
            "is needed): make a new one with `kiosk hash-pin`"
        )


def parse_pin_hash(line: str) -> PinHash:
    """Parse a hash line; ValueError with a plain message when it is not one ``kiosk hash-pin`` makes."""
    parts = line.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("not a PIN hash made by `kiosk hash-pin` (scrypt$n$r$p$salt$hash)")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        raise ValueError("PIN hash is damaged (numbers or hex digits expected)") from None
    if n < 2 or n > 2**20 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise ValueError("PIN hash has unsupported scrypt parameters")
    check_strength(n, r, p)
    if len(salt) < 8 or len(digest) < 16:
        raise ValueError("PIN hash is too short (salt or hash cut off)")
    return PinHash(n, r, p, salt, digest)


def _derive(pin: str, n: int, r: int, p: int, salt: bytes, size: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + 2**20, dklen=size
    )


def hash_pin(pin: str, *, n: int = N_DEFAULT, r: int = R_DEFAULT, p: int = P_DEFAULT) -> str:
    """A new salted hash line for ``pin`` (4-8 digits, else ValueError)."""
    check_pin_format(pin)
    check_strength(n, r, p)
    salt = secrets.token_bytes(SALT_BYTES)
    return PinHash(n, r, p, salt, _derive(pin, n, r, p, salt, HASH_BYTES)).line()


def verify_pin(pin: str, line: str) -> bool:
    """Whether ``pin`` matches the hash ``line``. False (never an exception) for an empty or bad hash."""
    try:
        stored = parse_pin_hash(line)
    except ValueError:
        return False
    candidate = _derive(pin, stored.n, stored.r, stored.p, stored.salt, len(stored.digest))
    return hmac.compare_digest(candidate, stored.digest)
