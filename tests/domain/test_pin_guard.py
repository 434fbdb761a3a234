"""PinGuard: 5 wrong tries lock PIN entry for 5 minutes (injected clock)."""

from __future__ import annotations

import pytest

from kiosk.domain.pin_guard import PinGuard
from tests.fakes import FakeClock


def test_five_wrong_tries_lock_for_five_minutes():
    clock = FakeClock()
    guard = PinGuard(clock.monotonic)
    assert [guard.failed() for _ in range(4)] == [False] * 4
    assert guard.tries_left() == 1 and not guard.locked()
    assert guard.failed() is True
    assert guard.locked() and guard.tries_left() == 0
    assert guard.remaining_s() == pytest.approx(300.0)
    clock.advance(299)
    assert guard.locked() and guard.remaining_s() == pytest.approx(1.0)
    assert guard.failed() is False  # tries while locked do not extend the lockout
    assert guard.remaining_s() == pytest.approx(1.0)
    clock.advance(1)
    assert not guard.locked() and guard.remaining_s() == 0.0
    assert guard.tries_left() == 5


def test_a_right_pin_resets_the_count():
    clock = FakeClock()
    guard = PinGuard(clock.monotonic, max_tries=3, lockout_s=60)
    guard.failed()
    guard.failed()
    guard.succeeded()
    assert guard.tries_left() == 3
    assert not guard.failed()


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        PinGuard(lambda: 0.0, max_tries=0)
