"""Mode, volume cap and auto-start: resident schedule > kiosk schedule; quiet hours win over both."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.models import Mode, ScheduleSlot
from kiosk.domain.policy import QuietHours, in_window, resolve_policy
from kiosk.domain.schedule import parse_schedule

KIOSK = parse_schedule("08:00-10:00 move; 16:00-18:00 listen")
RESIDENT = parse_schedule("16:00-18:00 relax")
QUIET = QuietHours(start_min=21 * 60, end_min=7 * 60, max_volume_pct=30)


def at(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def test_kiosk_schedule_applies_when_resident_has_none():
    p = resolve_policy(at("09:00"), kiosk_max_volume_pct=80, kiosk_schedule=KIOSK)
    assert (p.mode, p.volume_cap_pct, p.may_start_by_itself, p.quiet) == (Mode.MOVE, 80, True, False)


def test_resident_schedule_wins_over_kiosk_schedule():
    p = resolve_policy(at("16:30"), kiosk_max_volume_pct=80, resident_schedule=RESIDENT, kiosk_schedule=KIOSK)
    assert p.mode == Mode.RELAX


def test_kiosk_schedule_fills_gaps_in_the_resident_schedule():
    p = resolve_policy(at("08:30"), kiosk_max_volume_pct=80, resident_schedule=RESIDENT, kiosk_schedule=KIOSK)
    assert p.mode == Mode.MOVE


def test_no_schedule_covers_the_minute():
    p = resolve_policy(at("12:00"), kiosk_max_volume_pct=80, resident_schedule=RESIDENT, kiosk_schedule=KIOSK)
    assert p.mode is None and p.may_start_by_itself


def test_quiet_hours_win_over_both_schedules():
    night = parse_schedule("20:00-23:00 sing")
    quiet = QuietHours(21 * 60, 7 * 60, 30, Mode.RELAX)
    p = resolve_policy(
        at("22:00"), kiosk_max_volume_pct=80, resident_schedule=night, kiosk_schedule=night, quiet_hours=quiet
    )
    assert (p.mode, p.volume_cap_pct, p.may_start_by_itself, p.quiet) == (Mode.RELAX, 30, False, True)
    assert p.reason == "quiet hours"


def test_quiet_hours_without_a_mode_keep_the_schedules_mode():
    night = parse_schedule("20:00-23:00 sing")
    p = resolve_policy(at("22:00"), kiosk_max_volume_pct=80, resident_schedule=night, quiet_hours=QUIET)
    assert p.mode == Mode.SING and not p.may_start_by_itself


def test_quiet_hours_wrap_past_midnight():
    for hhmm, quiet in [
        ("20:59", False),
        ("21:00", True),
        ("23:59", True),
        ("00:00", True),
        ("06:59", True),
        ("07:00", False),
    ]:
        p = resolve_policy(at(hhmm), kiosk_max_volume_pct=80, quiet_hours=QUIET)
        assert p.quiet is quiet, hhmm
        assert p.may_start_by_itself is not quiet
        assert p.volume_cap_pct == (30 if quiet else 80)


def test_schedule_slot_wrapping_midnight():
    slots = parse_schedule("22:00-02:00 relax")
    assert resolve_policy(at("01:00"), kiosk_max_volume_pct=80, kiosk_schedule=slots).mode == Mode.RELAX
    assert resolve_policy(at("02:00"), kiosk_max_volume_pct=80, kiosk_schedule=slots).mode is None


def test_volume_cap_is_the_lowest_of_all():
    assert (
        resolve_policy(at("12:00"), kiosk_max_volume_pct=80, resident_volume_cap_pct=50).volume_cap_pct == 50
    )
    assert (
        resolve_policy(at("12:00"), kiosk_max_volume_pct=40, resident_volume_cap_pct=90).volume_cap_pct == 40
    )
    loud_quiet = QuietHours(0, 60, max_volume_pct=95)  # a quiet cap above the kiosk max never raises it
    assert resolve_policy(at("00:30"), kiosk_max_volume_pct=70, quiet_hours=loud_quiet).volume_cap_pct == 70
    assert (
        resolve_policy(
            at("23:00"), kiosk_max_volume_pct=80, resident_volume_cap_pct=20, quiet_hours=QUIET
        ).volume_cap_pct
        == 20
    )


def test_empty_quiet_window_is_never_quiet():
    assert not QuietHours(600, 600, 10).contains(600)
    assert not in_window(0, 0, 0)


def test_minute_of_day_is_taken_modulo_a_day():
    assert resolve_policy(at("22:00") + 1440, kiosk_max_volume_pct=80, quiet_hours=QUIET).quiet


def test_caps_are_clamped_to_0_100():
    assert resolve_policy(0, kiosk_max_volume_pct=150).volume_cap_pct == 100
    assert resolve_policy(0, kiosk_max_volume_pct=80, resident_volume_cap_pct=-5).volume_cap_pct == 0


minutes = st.integers(min_value=0, max_value=1439)
pcts = st.integers(min_value=0, max_value=100)
modes = st.sampled_from(list(Mode))
slots = st.builds(ScheduleSlot, minutes, minutes, modes)


@given(minutes, minutes, minutes)
def test_window_matches_a_brute_force_walk(minute, start, end):
    covered = set()
    m = start
    while m != end:
        covered.add(m)
        m = (m + 1) % 1440
    assert in_window(minute, start, end) == (minute in covered)


@given(minutes, pcts, pcts, pcts, minutes, minutes, st.lists(slots, max_size=4), st.lists(slots, max_size=4))
def test_policy_invariants(minute, kiosk_max, resident_cap, quiet_cap, q_start, q_end, resident, kiosk):
    quiet = QuietHours(q_start, q_end, quiet_cap)
    p = resolve_policy(
        minute,
        kiosk_max_volume_pct=kiosk_max,
        resident_schedule=tuple(resident),
        kiosk_schedule=tuple(kiosk),
        quiet_hours=quiet,
        resident_volume_cap_pct=resident_cap,
    )
    expected_cap = min(kiosk_max, resident_cap, quiet_cap) if p.quiet else min(kiosk_max, resident_cap)
    assert p.volume_cap_pct == expected_cap
    assert p.quiet == quiet.contains(minute)
    assert p.may_start_by_itself == (not p.quiet)
    own = [s.mode for s in resident if s.contains(minute)]
    default = [s.mode for s in kiosk if s.contains(minute)]
    assert p.mode == (own[0] if own else default[0] if default else None)
