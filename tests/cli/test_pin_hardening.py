"""The staff PIN resists: weak scrypt parameters are refused (clear message, doctor FAIL), and the lockout after
5 wrong PINs survives a restart (count and remaining seconds in the data folder, 0600, capped on load)."""

from __future__ import annotations

import json
import os

import pytest

from kiosk.adapters.pin_lockout import LOCKOUT_FILE, PinLockoutFile
from kiosk.config import load_config
from kiosk.doctor import check_staff_pin
from kiosk.errors import UserError
from kiosk.pin import hash_pin, parse_pin_hash, verify_pin
from kiosk.ui.pin_check import LOCKOUT_S, PinGuard
from tests.fakes import FakeClock

SALT, DIGEST = "00" * 16, "11" * 32


@pytest.mark.parametrize(("n", "r", "p"), [(2, 8, 1), (2**13, 8, 1), (2**14, 1, 1), (2**14, 4, 1)])
def test_weak_scrypt_parameters_are_refused_with_a_clear_message(n, r, p):
    line = f"scrypt${n}${r}${p}${SALT}${DIGEST}"
    with pytest.raises(ValueError, match=r"too weak .* at least N=16384, r=8, p=1"):
        parse_pin_hash(line)
    assert verify_pin("1234", line) is False
    with pytest.raises(ValueError, match="too weak"):
        hash_pin("1234", n=n, r=r, p=p)


def test_the_default_and_stronger_parameters_are_accepted():
    assert parse_pin_hash(f"scrypt${2**14}$8$1${SALT}${DIGEST}").n == 2**14
    assert parse_pin_hash(f"scrypt${2**15}$8$2${SALT}${DIGEST}").p == 2


def test_a_weak_hash_in_kiosk_toml_is_a_config_problem_and_a_doctor_fail(tmp_path):
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[kiosk]\nstaff_pin_hash = "scrypt$2$8$1${SALT}${DIGEST}"\n')
    with pytest.raises(UserError, match=r"2: kiosk.staff_pin_hash: .*too weak.*kiosk hash-pin"):
        load_config(toml)
    config = load_config(toml, strict=False)
    row = check_staff_pin(config)
    assert row.status == "FAIL" and "too weak" in row.detail and "kiosk hash-pin" in row.hint


def test_the_lockout_survives_a_restart(data_dir):
    clock = FakeClock()
    guard = PinGuard(clock.monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp()))
    for _ in range(5):
        guard.record(False)
    assert guard.locked_for_s() == pytest.approx(LOCKOUT_S)
    saved = data_dir / LOCKOUT_FILE
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    clock.advance(100)

    again = PinGuard(
        FakeClock().monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp())
    )  # a new process
    assert again.locked_for_s() == pytest.approx(LOCKOUT_S - 100)
    after = PinGuard(
        FakeClock().monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp() + 500)
    )
    assert after.locked_for_s() == 0 and after.wrong == 0


def test_wrong_tries_below_the_lockout_also_survive(data_dir):
    clock = FakeClock()
    guard = PinGuard(clock.monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp()))
    for _ in range(3):
        guard.record(False)
    again = PinGuard(clock.monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp()))
    assert again.wrong == 3 and again.locked_for_s() == 0
    again.record(False)
    again.record(False)
    assert again.locked_for_s() > 0
    again_ok = PinGuard(clock.monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp()))
    assert again_ok.locked_for_s() > 0


def test_a_clock_jump_back_never_lengthens_the_lockout_and_odd_files_are_capped(data_dir):
    clock = FakeClock()
    store = PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp())
    guard = PinGuard(clock.monotonic, store=store)
    for _ in range(5):
        guard.record(False)
    back = PinGuard(
        FakeClock().monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp() - 10**6)
    )
    assert back.locked_for_s() <= LOCKOUT_S
    (data_dir / LOCKOUT_FILE).write_text(json.dumps({"wrong_tries": 99, "remaining_s": 10**9, "saved_at": 0}))
    odd = PinGuard(FakeClock().monotonic, store=PinLockoutFile(data_dir, wall=lambda: 0.0))
    assert odd.locked_for_s() == pytest.approx(LOCKOUT_S) and odd.wrong <= 5
    (data_dir / LOCKOUT_FILE).write_bytes(b"\x00garbage")
    assert PinGuard(FakeClock().monotonic, store=PinLockoutFile(data_dir)).locked_for_s() == 0
    os.chmod(data_dir, 0o500)  # a read-only data folder: the guard still works in memory
    try:
        ro = PinGuard(clock.monotonic, store=PinLockoutFile(data_dir, wall=lambda: clock.now().timestamp()))
        for _ in range(5):
            ro.record(False)
        assert ro.locked_for_s() > 0
    finally:
        os.chmod(data_dir, 0o700)
