"""Buttons, LEDs and dial against the real session engine (runs once the engine branch is merged)."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.adapters.gpio import MainQueue, start_gpio
from kiosk.config import Config, GpioOptions
from kiosk.domain.buttons import EncoderPins
from kiosk.domain.buttons_leds import LIT_BRIGHTNESS
from kiosk.domain.intents import Status

pytest.importorskip("kiosk.domain.session", reason="the session engine is not in this tree yet")
session_tests = pytest.importorskip("tests.domain.test_session", reason="the engine's test kit is not here")

PINS = {17: "play_pause", 27: "next", 22: "like", 23: "volume_up", 24: "volume_down"}


def test_buttons_drive_the_real_engine_and_leds_follow_it():
    kit = session_tests.make()
    factory = MockFactory(pin_class=MockPWMPin)
    main = MainQueue()
    options = GpioOptions(leds={"play_pause": 5, "like": 12}, encoder=EncoderPins(16, 26, 25))
    handle = start_gpio(
        Config(gpio=dict(PINS), gpio_options=options), kit.engine, main.post, pin_factory=factory
    )

    def press(pin):
        factory.pin(pin).drive_low()
        factory.pin(pin).drive_high()
        main.drain()
        kit.engine.pump()

    try:
        kit.clock.advance(1)
        press(17)
        kit.run(2)
        assert kit.engine.view().status is Status.PLAYING
        assert factory.pin(12).state == pytest.approx(LIT_BRIGHTNESS)  # "I like this" now does something
        kit.clock.advance(1)
        first = kit.engine.view().song.song_id
        press(27)
        press(27)  # within 400 ms of the first: the engine counts one
        kit.run(2)
        assert kit.engine.view().song.song_id != first
        assert sum(e["type"] == "song_start" for e in kit.journal.events) == 2
        a, b = factory.pin(16), factory.pin(26)
        b.drive_low(), a.drive_low(), b.drive_high(), a.drive_high()  # one detent counter-clockwise
        main.drain()
        kit.engine.pump()
        assert [e["source"] for e in kit.journal.events if e["type"] == "tune"] == ["dial"]
    finally:
        handle.close()
        factory.reset()
        factory.close()
