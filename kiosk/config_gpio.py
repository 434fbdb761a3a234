"""kiosk.toml's [gpio] beyond the button table: debounce, staff hold, buses, button LEDs and the radio dial.

Kept apart from :mod:`kiosk.config` so each stays short; the loader calls :func:`read_gpio_options` for the
shapes and :func:`gpio_cross_check` (after [gpio.pins]) for pins used twice, reserved pins and the staff hold.
The rules themselves live in :mod:`kiosk.domain.buttons`. Every problem is a :class:`Problem`; a bad LED,
dial or staff hold is left out (non-strict) while the rest stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.config_check import Problem, check_value, did_you_mean, kind_of, rule_of, setting
from kiosk.domain.buttons import BUSES, HEADER_GPIO, EncoderPins, check_extras

ENCODER_KEYS = ("a", "b", "switch", "function")


@dataclass(frozen=True)
class GpioOptions:
    """[gpio] beyond the button table: debounce, staff hold, buses that reserve pins, LEDs and the dial."""

    bounce_time_ms: int = setting(20, between=(1, 200))  # contact bounce filter for the switches
    staff_hold: tuple[str, ...] = ("volume_down", "volume_up")  # hold both 5 s -> staff PIN; () = off
    staff_hold_s: float = setting(5.0, between=(2, 30))
    led_pwm: bool = True  # LEDs dim and breathe (PWMLED); false = plain on/off LEDs
    i2c: bool = False  # buses switched on in /boot/firmware/config.txt: their pins are not for buttons
    spi: bool = False
    uart: bool = False
    i2s: bool = False  # I2S sound HAT (HiFiBerry and the like): BCM 18-21
    leds: dict[str, int] = field(default_factory=dict)  # action -> BCM pin of the LED in that button
    encoder: EncoderPins | None = None  # the radio dial ([gpio.encoder] with a and b), or none

    def buses(self) -> tuple[str, ...]:
        """The buses switched on (names as in :data:`kiosk.domain.buttons.BUSES`)."""
        return tuple(name for name in BUSES if getattr(self, name))


GPIO_SCALARS = ("bounce_time_ms", "staff_hold", "staff_hold_s", "led_pwm", "i2c", "spi", "uart", "i2s")
GPIO_TABLES = ("pins", "leds", "encoder")


def read_gpio_options(table: Mapping[str, Any], problems: list[Problem]) -> GpioOptions:
    """[gpio]'s scalars, [gpio.leds] and [gpio.encoder], shape-checked; a bad one keeps its default."""
    defaults = GpioOptions()
    values: dict[str, Any] = {}
    for key in GPIO_SCALARS:
        if key not in table:
            continue
        where, raw = f"gpio.{key}", table[key]
        if key == "staff_hold":
            if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
                example = '["volume_down", "volume_up"]'
                problems.append(
                    Problem(where, f"must be a list of two action names, like {example}, got {raw!r}")
                )
            else:
                values[key] = tuple(a.strip() for a in raw)
            continue
        converted, message = check_value(raw, getattr(defaults, key), rule_of(GpioOptions, key))
        if message:
            problems.append(Problem(where, message))
        else:
            values[key] = converted
    values["leds"] = _gpio_leds(table.get("leds", {}), problems)
    values["encoder"] = _gpio_encoder(table.get("encoder", {}), problems)
    return GpioOptions(**values)


def _gpio_leds(raw: Any, problems: list[Problem]) -> dict[str, int]:
    if not isinstance(raw, dict):
        problems.append(Problem("gpio.leds", f"must be a section written [gpio.leds], got {kind_of(raw)}"))
        return {}
    leds: dict[str, int] = {}
    for action, pin in raw.items():
        if isinstance(pin, bool) or not isinstance(pin, int) or pin not in HEADER_GPIO:
            problems.append(Problem(f"gpio.leds.{action}", f"must be a BCM pin number 0-27, got {pin!r}"))
        else:
            leds[str(action).strip()] = pin
    return leds


def _gpio_encoder(raw: Any, problems: list[Problem]) -> EncoderPins | None:
    if not isinstance(raw, dict):
        problems.append(
            Problem("gpio.encoder", f"must be a section written [gpio.encoder], got {kind_of(raw)}")
        )
        return None
    if not raw:
        return None
    for key in raw:
        if key not in ENCODER_KEYS:
            problems.append(
                Problem(f"gpio.encoder.{key}", f"unknown setting{did_you_mean(key, ENCODER_KEYS)}")
            )
    pins: dict[str, int] = {}
    for name in ("a", "b", "switch"):
        pin = raw.get(name)
        if pin is None:
            if name != "switch":
                problems.append(Problem("gpio.encoder", f"needs both a and b (BCM pins); {name} is missing"))
        elif isinstance(pin, bool) or not isinstance(pin, int) or pin not in HEADER_GPIO:
            problems.append(Problem(f"gpio.encoder.{name}", f"must be a BCM pin number 0-27, got {pin!r}"))
        else:
            pins[name] = pin
    function = raw.get("function", "decade")
    if not isinstance(function, str):
        problems.append(Problem("gpio.encoder.function", f'must be "decade" or "volume", got {function!r}'))
        return None
    if "a" not in pins or "b" not in pins or ("switch" in raw and "switch" not in pins):
        return None
    return EncoderPins(pins["a"], pins["b"], pins.get("switch"), function.strip().lower())


def gpio_cross_check(
    pins: Mapping[int, str], options: GpioOptions, problems: list[Problem], hold_set: bool
) -> GpioOptions:
    """LEDs, dial and staff hold against the buttons and each other; a bad part is dropped.

    The default staff hold is only reported as unwired when kiosk.toml names it (``hold_set``).
    """
    leds, encoder, staff_hold = dict(options.leds), options.encoder, options.staff_hold
    extras = check_extras(
        pins, options.leds, options.encoder, options.staff_hold, options.buses(), require_wired=hold_set
    )
    for key, message in extras:
        problems.append(Problem(key, message))
        if key.startswith("gpio.leds."):
            leds.pop(key.removeprefix("gpio.leds."), None)
        elif key.startswith("gpio.encoder"):
            encoder = None
        elif key == "gpio.staff_hold":
            staff_hold = ()
    return replace(options, leds=leds, encoder=encoder, staff_hold=staff_hold)
