"""LED looks across engine states, and the two-button staff hold on an injected clock."""

from __future__ import annotations

import pytest

from kiosk.domain.buttons_hold import StaffHold
from kiosk.domain.buttons_leds import LedLevel, led_level, led_levels
from kiosk.domain.intents import SessionView, SongView, Status
from tests.fakes import FakeClock

SONG = SongView("s1", "Moon River", "Andy Williams", 1962, "1960s", 160.0)
LIKED = SongView("s1", "Moon River", "Andy Williams", 1962, "1960s", 160.0, liked=True)
OFF, ON, BREATHE = LedLevel.OFF, LedLevel.ON, LedLevel.BREATHE


def view(status: Status, song: SongView | None = SONG, volume: int = 40, cap: int = 80) -> SessionView:
    return SessionView(status=status, song=song, volume_pct=volume, volume_cap_pct=cap)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (
            view(Status.IDLE, None),
            {"play_pause": ON, "next": ON, "like": OFF, "volume_up": OFF, "volume_down": OFF, "stop": OFF},
        ),
        (
            view(Status.CHOOSING, None),
            {"play_pause": ON, "next": ON, "like": OFF, "volume_up": OFF, "volume_down": OFF, "stop": OFF},
        ),
        (
            view(Status.PLAYING),
            {"play_pause": BREATHE, "next": ON, "like": ON, "volume_up": ON, "volume_down": ON, "stop": ON},
        ),
        (
            view(Status.PAUSED),
            {"play_pause": ON, "next": ON, "like": ON, "volume_up": ON, "volume_down": ON, "stop": ON},
        ),
        (
            view(Status.ENDED, None),
            {"play_pause": ON, "next": ON, "like": OFF, "volume_up": OFF, "volume_down": OFF, "stop": OFF},
        ),
        (
            view(Status.PLAYING, LIKED, volume=80, cap=80),
            {"play_pause": BREATHE, "next": ON, "like": OFF, "volume_up": OFF, "volume_down": ON},
        ),
        (
            view(Status.PLAYING, volume=0),
            {"volume_up": ON, "volume_down": OFF, "distress": ON, "staff": ON},
        ),
    ],
)
def test_led_levels_follow_the_session(state, expected):
    assert led_levels(tuple(expected), state) == expected


def test_in_play_along_every_instrument_button_stays_lit():
    """Liked and at the volume limit, Like and Louder would do nothing; in Play along they play an instrument."""
    from kiosk.domain.models import Mode
    from kiosk.domain.play_along import instrument_for_button

    along = SessionView(
        status=Status.PLAYING, song=LIKED, volume_pct=80, volume_cap_pct=80, mode=Mode.PLAY_ALONG
    )
    listen = SessionView(
        status=Status.PLAYING, song=LIKED, volume_pct=80, volume_cap_pct=80, mode=Mode.LISTEN
    )
    instruments = [
        a for a in ("play_pause", "next", "like", "volume_up", "volume_down") if instrument_for_button(a)
    ]
    assert {"like", "volume_up"} <= set(instruments)
    assert all(led_level(a, along) in (ON, BREATHE) for a in instruments)
    assert led_level("like", listen) == OFF and led_level("volume_up", listen) == OFF
    paused = SessionView(
        status=Status.PAUSED, song=LIKED, volume_pct=80, volume_cap_pct=80, mode=Mode.PLAY_ALONG
    )
    assert led_level("like", paused) == OFF  # paused: the buttons are buttons again


def test_unknown_action_led_stays_off():
    assert led_level("jump", view(Status.PLAYING)) == OFF


def test_staff_hold_needs_both_buttons_together_for_5_s():
    clock = FakeClock()
    hold = StaffHold(("volume_down", "volume_up"), clock.monotonic)
    assert hold.press(24, "volume_down") is None  # one button: nothing to wait for
    clock.advance(10)
    assert hold.check() is False  # a single lean, however long, does nothing
    assert hold.press(23, "volume_up") == 5.0  # both down: look again in 5 s
    clock.advance(4.9)
    assert hold.check() is False
    clock.advance(0.1)
    assert hold.check() is True
    assert hold.check() is False  # fires once per hold
    hold.release(23)
    hold.press(23, "volume_up")
    clock.advance(5)
    assert hold.check() is True  # a fresh hold fires again


def test_staff_hold_broken_by_a_release():
    clock = FakeClock()
    hold = StaffHold(("volume_down", "volume_up"), clock.monotonic)
    hold.press(24, "volume_down")
    hold.press(23, "volume_up")
    clock.advance(3)
    hold.release(24)
    clock.advance(2)
    assert hold.check() is False
    assert hold.press(24, "volume_down") == 5.0
    clock.advance(4)
    assert hold.check() is False  # counted from the second press, not the first
    clock.advance(1)
    assert hold.check() is True


def test_short_presses_never_reach_staff():
    clock = FakeClock()
    hold = StaffHold(("volume_down", "volume_up"), clock.monotonic)
    for _ in range(50):
        hold.press(24, "volume_down")
        hold.press(23, "volume_up")
        clock.advance(0.3)
        hold.release(24)
        hold.release(23)
        assert hold.check() is False


def test_staff_button_needs_the_hold_on_its_own_and_hold_can_be_off():
    clock = FakeClock()
    hold = StaffHold((), clock.monotonic, hold_s=3.0)
    assert hold.press(4, "volume_up") is None
    assert hold.press(9, "staff") == 3.0
    clock.advance(3)
    assert hold.check() is True
