"""The action set and the checks of a pin layout: one clear message per problem."""

from __future__ import annotations

import pytest

from kiosk.domain.buttons import (
    ACTIONS,
    STAFF,
    EncoderPins,
    check_extras,
    check_pins,
    intent_of,
    pin_problem,
)
from kiosk.domain.intents import Intent

DEFAULT = {17: "play_pause", 27: "next", 22: "like", 23: "volume_up", 24: "volume_down"}


@pytest.mark.parametrize(
    ("action", "intent"),
    [
        ("play_pause", Intent.PLAY_PAUSE),
        ("next", Intent.NEXT),
        ("like", Intent.LIKE),
        ("volume_up", Intent.VOLUME_UP),
        ("volume_down", Intent.VOLUME_DOWN),
        ("stop", Intent.STOP),
        ("distress", Intent.DISTRESS),
        ("staff", None),
        ("jump", None),
    ],
)
def test_each_action_maps_to_its_intent(action, intent):
    assert intent_of(action) == intent


def test_action_set_is_fixed():
    assert set(ACTIONS) == {
        "play_pause",
        "next",
        "like",
        "volume_up",
        "volume_down",
        "stop",
        "distress",
        STAFF,
    }


def test_default_wiring_is_clean():
    assert list(check_pins(DEFAULT)) == []
    assert list(check_pins(DEFAULT, ("i2c", "spi", "uart", "i2s"))) == []


def test_unknown_action_has_did_you_mean_and_lists_the_actions():
    [(pin, message)] = list(check_pins({17: "play_pase"}))
    assert pin == 17
    assert message.startswith("unknown action 'play_pase' (did you mean 'play_pause'?)")
    assert "volume_down" in message
    [(_, far)] = list(check_pins({17: "xyzzy"}))
    assert "did you mean" not in far


@pytest.mark.parametrize(
    ("pin", "buses", "words"),
    [
        (2, ("i2c",), "I2C"),
        (3, ("i2c",), "I2C"),
        (7, ("spi",), "SPI"),
        (11, ("spi",), "SPI"),
        (14, ("uart",), "serial port"),
        (15, ("uart",), "serial port"),
        (18, ("i2s",), "I2S"),
        (21, ("i2s",), "I2S"),
        (0, (), "ID EEPROM"),
        (1, (), "ID EEPROM"),
        (28, (), "not a GPIO pin on the 40-pin header"),
        (-1, (), "not a GPIO pin on the 40-pin header"),
    ],
)
def test_reserved_and_out_of_range_pins(pin, buses, words):
    [(bad, message)] = list(check_pins({pin: "next"}, buses))
    assert bad == pin
    assert words in message
    assert pin_problem(pin, buses) == message


def test_bus_pins_are_free_while_the_bus_is_off():
    assert pin_problem(2) is None
    assert pin_problem(14, ("spi",)) is None
    assert pin_problem(18, ("i2c", "spi", "uart")) is None


def test_led_on_a_button_pin_and_dial_on_an_led_pin():
    leds = {"play_pause": 17, "next": 5}
    dial = EncoderPins(a=5, b=6, switch=27)
    problems = list(check_extras(DEFAULT, leds, dial, ()))
    assert problems == [
        ("gpio.leds.play_pause", "BCM 17 is already used by the play_pause button"),
        ("gpio.encoder.a", "BCM 5 is already used by the next LED"),
        ("gpio.encoder.switch", "BCM 27 is already used by the next button"),
    ]


def test_dial_pins_twice_and_bad_function():
    problems = list(check_extras({}, {}, EncoderPins(a=5, b=5, function="decades"), ()))
    assert problems == [
        ("gpio.encoder.function", "must be \"decade\" or \"volume\", got 'decades' (did you mean 'decade'?)"),
        ("gpio.encoder.b", "BCM 5 is already used by the dial's pin a"),
    ]


def test_led_of_an_unknown_action_and_on_a_reserved_pin():
    problems = list(check_extras({}, {"liek": 5, "next": 2}, None, (), ("i2c",)))
    assert problems[0][0] == "gpio.leds.liek" and "did you mean 'like'" in problems[0][1]
    assert problems[1] == ("gpio.leds.next", pin_problem(2, ("i2c",)))


@pytest.mark.parametrize(
    ("hold", "words"),
    [
        (("volume_up",), "two different actions"),
        (("next", "next"), "two different actions"),
        (("next", "like", "stop"), "two different actions"),
        (("next", "jump"), "unknown action 'jump'"),
        (("next", "staff"), "unknown action 'staff'"),
        (("next", "stop"), "no button in [gpio.pins] does stop"),
    ],
)
def test_staff_hold_problems(hold, words):
    [(key, message)] = list(check_extras(DEFAULT, {}, None, hold))
    assert key == "gpio.staff_hold"
    assert words in message


def test_staff_hold_unwired_is_fine_when_not_required_or_no_buttons():
    assert list(check_extras(DEFAULT, {}, None, ("next", "stop"), require_wired=False)) == []
    assert list(check_extras({}, {}, None, ("next", "stop"))) == []
    assert list(check_extras({}, {}, None, ())) == []


def test_dial_switch_counts_as_play_pause_for_the_hold():
    dial = EncoderPins(a=5, b=6, switch=13)
    assert list(check_extras({27: "next"}, {}, dial, ("play_pause", "next"))) == []
    assert list(check_extras({27: "next"}, {}, EncoderPins(a=5, b=6), ("play_pause", "next")))
