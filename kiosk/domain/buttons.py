"""Arcade buttons, LEDs and the radio dial as data: the action set, and the checks of a pin layout.

Button wiring is configuration (BCM pin -> action name); the actions are a fixed set. Every problem with a
layout gets one plain message: an unknown action (with "did you mean"), a pin used twice (buttons, LEDs and
the dial share one header), a pin that is not a GPIO on the 40-pin header, or a pin that a bus needs while
that bus is switched on (I2C, SPI, UART, I2S sound HAT). Pure standard library: the gpiozero adapter
(:mod:`kiosk.adapters.gpio`) and the config loader both use it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from kiosk.domain.controls import Actions, by_action
from kiosk.domain.intents import Intent

STAFF = "staff"  # not an engine intent: it asks the UI for the staff PIN screen (after a hold)

# The fixed action set: name in kiosk.toml -> the engine intent it posts (None: handled outside the engine).
# A live view of the one control table (kiosk.domain.controls.CONTROLS): a new control with an ``action`` is
# a new action here, in the config checks and on the buttons, with nothing else to change.
ACTIONS: Mapping[str, Intent | None] = Actions()

# BCM GPIO numbers on the 40-pin header are 0-27. 0 and 1 (ID_SD/ID_SC) belong to a HAT's ID EEPROM.
HEADER_GPIO = range(0, 28)
ALWAYS_RESERVED: dict[int, str] = {
    0: "kept for a HAT's ID EEPROM (ID_SD)",
    1: "kept for a HAT's ID EEPROM (ID_SC)",
}

# Buses that claim header pins while switched on in [gpio]: name -> (what people call it, its BCM pins).
BUSES: dict[str, tuple[str, frozenset[int]]] = {
    "i2c": ("I2C", frozenset({2, 3})),
    "spi": ("SPI", frozenset({7, 8, 9, 10, 11})),
    "uart": ("the serial port (UART)", frozenset({14, 15})),
    "i2s": ("I2S sound (a DAC HAT)", frozenset({18, 19, 20, 21})),
}

ENCODER_FUNCTIONS = ("decade", "volume")
ENCODER_SWITCH_ACTION = "play_pause"  # the dial's push switch

# claim(pin, what uses it) -> a problem, or None once the pin is taken
_Claim = Callable[[int, str], str | None]


@dataclass(frozen=True)
class EncoderPins:
    """A rotary encoder (radio dial): its two quadrature pins, its push switch (optional), what it turns."""

    a: int
    b: int
    switch: int | None = None
    function: str = "decade"  # decade: tune_decade +1/-1; volume: volume_up/volume_down


def intent_of(action: str) -> Intent | None:
    """The engine intent an action posts (None for ``staff`` and unknown names)."""
    control = by_action(action)
    return control.intent if control is not None else None


def did_you_mean(name: str, choices: Collection[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def pin_problem(pin: int, buses: Collection[str] = ()) -> str | None:
    """Why ``pin`` cannot be used (outside the header, or reserved), or None when it is free to use."""
    if pin not in HEADER_GPIO:
        return f"BCM {pin} is not a GPIO pin on the 40-pin header (use 2-27)"
    if pin in ALWAYS_RESERVED:
        return f"BCM {pin} is {ALWAYS_RESERVED[pin]}; pick another pin"
    for bus in buses:
        label, pins = BUSES[bus]
        if pin in pins:
            return (
                f"BCM {pin} is used by {label}, which is switched on ([gpio] {bus} = true); pick another pin"
            )
    return None


def check_pins(pins: Mapping[int, str], buses: Collection[str] = ()) -> Iterator[tuple[int | None, str]]:
    """Problems with the button table ``[gpio.pins]``: (pin, message), one per problem.

    Usable as ``kiosk.config.load_config(..., gpio_check=check_pins)`` (no buses switched on).
    """
    for pin, action in pins.items():
        if action not in ACTIONS:
            names = ", ".join(ACTIONS)
            yield pin, f"unknown action {action!r}{did_you_mean(action, ACTIONS)}; actions are: {names}"
            continue
        problem = pin_problem(pin, buses)
        if problem:
            yield pin, problem


def check_extras(
    pins: Mapping[int, str],
    leds: Mapping[str, int],
    encoder: EncoderPins | None,
    staff_hold: Sequence[str],
    buses: Collection[str] = (),
    *,
    require_wired: bool = True,
) -> Iterator[tuple[str, str]]:
    """Problems with the LEDs, the dial and the staff hold, as (config key, message), one per problem.

    ``pins`` are the buttons that passed :func:`check_pins`. A pin already taken by a button (or by an
    earlier LED or dial pin) is reported where it is used the second time. ``require_wired``: a staff hold
    naming an action no button does is a problem (else it is just not available).
    """
    taken: dict[int, str] = {pin: f"the {action} button" for pin, action in pins.items()}

    def claim(pin: int, what: str) -> str | None:
        problem = pin_problem(pin, buses)
        if problem:
            return problem
        if pin in taken:
            return f"BCM {pin} is already used by {taken[pin]}"
        taken[pin] = what
        return None

    for action, pin in leds.items():
        key = f"gpio.leds.{action}"
        if action not in ACTIONS:
            yield (
                key,
                f"unknown action {action!r}{did_you_mean(action, ACTIONS)}; an LED belongs to an action",
            )
            continue
        problem = claim(pin, f"the {action} LED")
        if problem:
            yield key, problem
    if encoder is not None:
        yield from _check_encoder(encoder, claim)
    wired = set(pins.values())
    if encoder is not None and encoder.switch is not None:
        wired.add(ENCODER_SWITCH_ACTION)
    yield from _check_staff_hold(wired, staff_hold, require_wired)


def _check_encoder(encoder: EncoderPins, claim: _Claim) -> Iterator[tuple[str, str]]:
    if encoder.function not in ENCODER_FUNCTIONS:
        hint = did_you_mean(encoder.function, ENCODER_FUNCTIONS)
        yield "gpio.encoder.function", f'must be "decade" or "volume", got {encoder.function!r}{hint}'
    parts = [("a", encoder.a), ("b", encoder.b)]
    if encoder.switch is not None:
        parts.append(("switch", encoder.switch))
    for name, pin in parts:
        problem = claim(pin, f"the dial's pin {name}")
        if problem:
            yield f"gpio.encoder.{name}", problem


def _check_staff_hold(
    wired: set[str], staff_hold: Sequence[str], require_wired: bool
) -> Iterator[tuple[str, str]]:
    if not staff_hold:
        return
    key = "gpio.staff_hold"
    if len(staff_hold) != 2 or staff_hold[0] == staff_hold[1]:
        yield (
            key,
            f'must name two different actions, like ["volume_down", "volume_up"], got {list(staff_hold)}',
        )
        return
    for action in staff_hold:
        if action not in ACTIONS or action == STAFF:
            names = ", ".join(a for a in ACTIONS if a != STAFF)
            yield key, f"unknown action {action!r}{did_you_mean(action, ACTIONS)}; actions are: {names}"
            return
    missing = [a for a in staff_hold if a not in wired]
    if require_wired and wired and missing:
        yield key, f"no button in [gpio.pins] does {' or '.join(missing)}: staff could not hold it"
