"""[gpio] in kiosk.toml: every kind of mistake gets one FILE:LINE message; non-strict keeps the good parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import GpioOptions, load_config
from kiosk.domain.buttons import EncoderPins
from kiosk.errors import UserError

GOOD = """\
[gpio]
bounce_time_ms = 30
staff_hold = ["volume_down", "volume_up"]
staff_hold_s = 6
i2s = true
[gpio.pins]
17 = "play_pause"
27 = "next"
22 = "like"
23 = "volume_up"
24 = "volume_down"
[gpio.leds]
play_pause = 5
next = 6
[gpio.encoder]
a = 16
b = 26
switch = 25
function = "volume"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(UserError) as info:
        load_config(path)
    return [p.removeprefix(f"{path}:") for p in info.value.problems]


def test_full_gpio_section_is_read(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.gpio == {17: "play_pause", 27: "next", 22: "like", 23: "volume_up", 24: "volume_down"}
    assert config.gpio_options == GpioOptions(
        bounce_time_ms=30,
        staff_hold=("volume_down", "volume_up"),
        staff_hold_s=6.0,
        i2s=True,
        leds={"play_pause": 5, "next": 6},
        encoder=EncoderPins(16, 26, 25, "volume"),
    )
    assert config.gpio_options.buses() == ("i2s",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[gpio.pins]\n17 = "play_pase"\n',
            "2: gpio.pins.17: unknown action 'play_pase' (did you mean 'play_pause'?); actions are: "
            "play_pause, next, like, volume_up, volume_down, stop, distress, staff",
        ),
        (
            '[gpio.pins]\n17 = "next"\n017 = "like"\n',
            "3: gpio.pins.017: BCM 17 is already used by the next button",
        ),
        ('[gpio.pins]\n40 = "next"\n', "2: gpio.pins.40: must be a BCM pin number 0-27, got 40"),
        (
            '[gpio.pins]\n0 = "next"\n',
            "2: gpio.pins.0: BCM 0 is kept for a HAT's ID EEPROM (ID_SD); pick another pin",
        ),
        (
            '[gpio]\ni2c = true\n[gpio.pins]\n3 = "next"\n',
            "4: gpio.pins.3: BCM 3 is used by I2C, which is switched on ([gpio] i2c = true); pick another pin",
        ),
        (
            '[gpio]\nspi = true\n[gpio.pins]\n9 = "next"\n',
            "4: gpio.pins.9: BCM 9 is used by SPI, which is switched on ([gpio] spi = true); pick another pin",
        ),
        (
            '[gpio]\nuart = true\n[gpio.pins]\n14 = "next"\n',
            "4: gpio.pins.14: BCM 14 is used by the serial port (UART), which is switched on ([gpio] uart = "
            "true); pick another pin",
        ),
        (
            '[gpio.pins]\n17 = "next"\n[gpio.leds]\nnext = 17\n',
            "4: gpio.leds.next: BCM 17 is already used by the next button",
        ),
        ("[gpio.leds]\nnext = 99\n", "2: gpio.leds.next: must be a BCM pin number 0-27, got 99"),
        (
            "[gpio.leds]\nnxt = 5\n",
            "2: gpio.leds.nxt: unknown action 'nxt' (did you mean 'next'?); an LED belongs to an action",
        ),
        (
            "[gpio.leds]\nnext = 5\n[gpio.encoder]\na = 5\nb = 6\n",
            "4: gpio.encoder.a: BCM 5 is already used by the next LED",
        ),
        ("[gpio.encoder]\na = 5\n", "1: gpio.encoder: needs both a and b (BCM pins); b is missing"),
        (
            '[gpio.encoder]\na = 5\nb = 6\nfunction = "loudness"\n',
            '4: gpio.encoder.function: must be "decade" or "volume", got \'loudness\'',
        ),
        (
            "[gpio.encoder]\na = 5\nb = 6\nswich = 7\n",
            "4: gpio.encoder.swich: unknown setting (did you mean 'switch'?)",
        ),
        ('[gpio]\nstaff_hold = ["next"]\n', "2: gpio.staff_hold: must name two different actions"),
        (
            '[gpio]\nstaff_hold = ["next", "stop"]\n[gpio.pins]\n17 = "next"\n',
            "2: gpio.staff_hold: no button in [gpio.pins] does stop: staff could not hold it",
        ),
        ('[gpio]\nstaff_hold = "next"\n', "2: gpio.staff_hold: must be a list of two action names"),
        ("[gpio]\nstaff_hold_s = 1\n", "2: gpio.staff_hold_s: must be 2-30, got 1"),
        ("[gpio]\nbounce_time_ms = 0\n", "2: gpio.bounce_time_ms: must be 1-200, got 0"),
        ('[gpio]\nled_pwm = "yes"\n', "2: gpio.led_pwm: must be true or false, got 'yes' (text)"),
        ("[gpio]\nleds = 3\n", "2: gpio.leds: must be a section written [gpio.leds], got a whole number"),
    ],
)
def test_each_gpio_mistake_has_one_message(tmp_path, text, expected):
    [message] = problems(tmp_path, text)
    assert message.startswith(expected)


def test_unknown_gpio_setting_has_did_you_mean(tmp_path):
    assert problems(tmp_path, "[gpio]\nbounce_time = 20\n") == [
        "2: gpio.bounce_time: unknown setting (did you mean 'bounce_time_ms'?)"
    ]


def test_non_strict_drops_only_the_bad_parts(tmp_path):
    text = GOOD.replace('22 = "like"', '22 = "liek"').replace("next = 6", "next = 17")
    config = load_config(write(tmp_path, text), strict=False)
    assert 22 not in config.gpio and config.gpio[17] == "play_pause"
    assert config.gpio_options.leds == {"play_pause": 5}
    assert config.gpio_options.encoder == EncoderPins(16, 26, 25, "volume")
    assert len(config.problems) == 2


def test_a_bad_dial_drops_the_dial_only(tmp_path):
    text = GOOD.replace("b = 26", "b = 17")
    config = load_config(write(tmp_path, text), strict=False)
    assert config.gpio_options.encoder is None
    assert len(config.gpio) == 5 and config.gpio_options.leds == {"play_pause": 5, "next": 6}
    assert (
        config.problems
        and "gpio.encoder.b: BCM 17 is already used by the play_pause button" in config.problems[0]
    )


def test_default_staff_hold_unwired_is_no_error(tmp_path):
    config = load_config(write(tmp_path, '[gpio.pins]\n17 = "play_pause"\n'))
    assert config.gpio_options.staff_hold == ("volume_down", "volume_up")


def test_doctor_row_names_the_wiring(tmp_path):
    from kiosk.doctor import check_gpio

    config = load_config(write(tmp_path, GOOD))
    row = check_gpio(config, tmp_path / "no-model")  # off a Pi
    assert row.detail.startswith("mock: no GPIO, buttons disabled (5 button(s) configured (play_pause 17,")
    assert "2 LED(s); dial (volume); staff hold volume_down + volume_up 6 s" in row.detail
    bare = check_gpio(load_config(tmp_path / "none.toml"), tmp_path / "no-model")
    assert "no buttons configured" in bare.detail and "staff hold" not in bare.detail
