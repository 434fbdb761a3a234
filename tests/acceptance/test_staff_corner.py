"""Journey 1: staff open staff mode by holding the top-left corner; a resident's short touch there only does
what the screen underneath does. Real process, real Kivy clock, touches through Kivy's input path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.acceptance.conftest import STAFF_PIN
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess

Start = Callable[..., KioskProcess]


def test_holding_the_corner_for_3_5_s_opens_the_pin_pad_and_the_pin_opens_staff_mode(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    kiosk.touch("Touch for music")
    kiosk.touch("Music for everyone")
    kiosk.wait_for_screen("now_playing")
    seen = kiosk.hold_corner(mm=5, seconds=3.5)
    assert seen.screen == "staff_pin" and seen.shows("Staff PIN"), seen
    kiosk.screenshot("pin-pad")
    seen = kiosk.touch("Back to music")
    assert seen.screen == "now_playing", seen
    seen = kiosk.hold_corner(mm=5, seconds=3.5)  # and again: the corner still works after a first hold
    assert seen.screen == "staff_pin", seen
    for digit in STAFF_PIN:
        kiosk.touch(digit)
    kiosk.touch("OK")
    seen = kiosk.wait_for_screen("staff", timeout_s=8)  # the scrypt check runs on a worker thread
    assert seen.button("Back to music") is not None, seen


def test_a_1_s_touch_in_the_corner_does_only_what_is_underneath(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    seen = kiosk.touch_at_mm(5, 5, hold_s=1.0)  # on the idle screen the corner is part of "Touch for music"
    assert seen.screen == "residents", seen
    kiosk.stays(3.0, screen="residents", gone=["Staff PIN"])  # the hold was short: no PIN pad comes later
    kiosk.touch("Music for everyone")
    kiosk.wait_for_screen("now_playing")
    kiosk.touch_at_mm(5, 5, hold_s=1.0)
    kiosk.stays(3.0, screen="now_playing", gone=["Staff PIN"])
