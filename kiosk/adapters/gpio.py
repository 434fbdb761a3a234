"""Arcade buttons, their LEDs and the radio dial through gpiozero, driving a :class:`SessionControl`.

Threading: gpiozero calls back on its own threads (real pins) or in the caller's thread (mock pins). Those
callbacks only hand a small function to the main loop through ``post_to_main`` (Kivy's thread-safe
``Clock.schedule_once``, or :class:`MainQueue` headless) and return; the engine is only ever called on the
main loop. Every button acts on press; the engine's 400 ms same-control rule handles tremor repeats, so each
press is posted exactly once. The LEDs follow the session's snapshots (:mod:`kiosk.domain.buttons_leds`).

Pin factory: ``GPIOZERO_PIN_FACTORY`` when set (``lgpio`` in the service on a Pi 4/5), else lgpio on a Pi.
Off a Pi (or with the mock factory) nothing is opened and the log says "no GPIO: buttons disabled".
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable, Hashable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.domain.buttons import (
    ENCODER_SWITCH_ACTION,
    EncoderPins,
    check_extras,
    check_pins,
    intent_of,
)
from kiosk.domain.buttons_hold import StaffHold
from kiosk.domain.buttons_leds import (
    BREATH_IN_S,
    BREATH_OUT_S,
    FLASH_S,
    LIT_BRIGHTNESS,
    LedLevel,
    led_level,
)
from kiosk.domain.intents import Intent, SessionView, Source
from kiosk.domain.ports import SessionControl

log = logging.getLogger(__name__)

PostToMain = Callable[[Callable[[], None]], None]  # thread-safe: run fn soon on the main loop
CallLater = Callable[[float, Callable[[], None]], Callable[[], None]]  # (delay_s, fn) -> cancel; any thread
MODEL_FILE = Path("/proc/device-tree/model")
DIAL_SWITCH = "dial-switch"  # the hold-tracking key of the dial's push switch
_HOLD_SLACK_S = 0.05  # look at the staff hold a moment after it is due


class MainQueue:
    """A thread-safe hand-over to the main loop for headless runs: ``post`` from any thread, ``drain`` on it."""

    def __init__(self, waker: Callable[[], None] | None = None) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._waker = waker

    def post(self, fn: Callable[[], None]) -> None:
        self._queue.put(fn)
        if self._waker is not None:
            self._waker()

    def drain(self) -> int:
        """Run everything posted so far (on the calling thread, the main loop); return how many ran."""
        count = 0
        while True:
            try:
                fn = self._queue.get_nowait()
            except queue.Empty:
                return count
            fn()
            count += 1


def timer_call_later(delay_s: float, fn: Callable[[], None]) -> Callable[[], None]:
    """Run ``fn`` on a timer thread after ``delay_s`` seconds; returns a cancel function."""
    timer = threading.Timer(delay_s, fn)
    timer.daemon = True
    timer.start()
    return timer.cancel


def open_pin_factory(
    env: Mapping[str, str] | None = None, model_file: Path = MODEL_FILE
) -> tuple[Any | None, str]:
    """The real pin factory and a short description, or (None, why there is no GPIO). Never raises."""
    env = os.environ if env is None else env
    name = env.get("GPIOZERO_PIN_FACTORY", "").strip().lower()
    if name == "mock":
        return None, "no GPIO: buttons disabled (GPIOZERO_PIN_FACTORY=mock)"
    try:
        model = model_file.read_text(encoding="utf-8", errors="replace").strip("\x00\n ")
    except OSError:
        model = ""
    if "raspberry pi" not in model.lower():
        return None, "no GPIO: buttons disabled (not a Raspberry Pi)"
    name = name or "lgpio"
    try:
        from importlib.metadata import entry_points

        found = [ep for ep in entry_points(group="gpiozero_pin_factories") if ep.name == name]
        if not found:
            return None, f"no GPIO: buttons disabled (unknown pin factory {name!r})"
        return found[0].load()(), f"{model}: {name} pin factory"
    except Exception as exc:  # a missing library, no /dev/gpiochip access: run without buttons
        return None, f"no GPIO: buttons disabled ({name}: {exc})"


class GpioHandle:
    """The running buttons, LEDs and dial. Build it with :func:`start_gpio`; :meth:`close` on teardown."""

    def __init__(
        self,
        config: Config,
        control: SessionControl,
        post_to_main: PostToMain,
        *,
        pin_factory: Any | None,
        status: str,
        own_factory: bool = False,
        on_staff: Callable[[], None] | None = None,
        monotonic: Callable[[], float],
        call_later: CallLater = timer_call_later,
    ) -> None:
        self.status = status
        self.enabled = pin_factory is not None
        self._control = control
        self._post = post_to_main
        self._factory = pin_factory
        self._own_factory = own_factory
        self._on_staff = on_staff
        self._call_later = call_later
        options = config.gpio_options
        self._bounce_s = options.bounce_time_ms / 1000
        self._dial_function = "decade"
        self._hold = StaffHold(options.staff_hold, monotonic, options.staff_hold_s)
        self._closed = False
        self._devices: list[Any] = []
        self._leds: dict[str, Any] = {}
        self._pwm = options.led_pwm
        self._shown: dict[str, str] = {}  # action -> what its LED shows now ("off", "on", "breathe", "flash")
        self._flash_token: dict[str, int] = {}
        self._timers: dict[int, Callable[[], None]] = {}
        self._timer_ids = itertools.count()
        self._view: SessionView | None = None
        self.buttons: dict[int, str] = {}  # what is really wired: pin -> action
        if not self.enabled:
            log.info("%s", status)
            return
        try:
            self._open(config)
        except Exception as exc:  # whatever the pins say, the kiosk runs on without buttons
            log.warning("gpio: buttons disabled: %s", exc)
            self.close()
            self.enabled = False
            self.status = f"no GPIO: buttons disabled ({exc})"

    def _open(self, config: Config) -> None:
        """Open the buttons, LEDs and dial that pass the layout checks, and follow the session's snapshots."""
        options = config.gpio_options
        buses = options.buses()
        bad = {pin for pin, _ in check_pins(config.gpio, buses) if pin is not None}
        pins = {pin: action for pin, action in config.gpio.items() if pin not in bad}
        leds, encoder = dict(options.leds), options.encoder
        for key, message in list(check_extras(pins, leds, encoder, (), buses)):
            log.warning("gpio: %s: %s (left out)", key, message)
            if key.startswith("gpio.leds."):
                leds.pop(key.removeprefix("gpio.leds."), None)
            else:
                encoder = None
        for pin in sorted(bad):
            log.warning("gpio: pin %s left out: not a usable button", pin)
        for pin, action in sorted(pins.items()):
            self._add_button(pin, pin, action)
        for action, pin in sorted(leds.items()):
            self._add_led(action, pin)
        if encoder is not None:
            self._add_encoder(encoder)
        log.info(
            "%s; %d button(s), %d LED(s)%s",
            self.status,
            len(self.buttons),
            len(self._leds),
            f", dial ({self._dial_function})" if encoder else "",
        )
        self._control.subscribe(self._on_view)
        self._on_view(self._control.view())

    # --- building (main thread) ---

    def _add_button(self, key: Hashable, pin: int, action: str) -> None:
        from gpiozero import Button

        try:
            button = Button(pin, pull_up=True, bounce_time=self._bounce_s or None, pin_factory=self._factory)
        except Exception as exc:
            log.warning("gpio: cannot open the %s button on BCM %s: %s", action, pin, exc)
            return
        button.when_pressed = self._from_thread(self._pressed, key, action)
        button.when_released = self._from_thread(self._released, key)
        self._devices.append(button)
        if isinstance(key, int):
            self.buttons[key] = action

    def _add_led(self, action: str, pin: int) -> None:
        from gpiozero import LED, PWMLED

        try:
            led = PWMLED(pin, pin_factory=self._factory) if self._pwm else LED(pin, pin_factory=self._factory)
        except Exception as exc:
            log.warning("gpio: cannot open the %s LED on BCM %s: %s", action, pin, exc)
            return
        self._leds[action] = led
        self._devices.append(led)

    def _add_encoder(self, encoder: EncoderPins) -> None:
        from gpiozero import RotaryEncoder

        try:
            dial = RotaryEncoder(encoder.a, encoder.b, max_steps=0, pin_factory=self._factory)
        except Exception as exc:
            log.warning("gpio: cannot open the dial on BCM %s/%s: %s", encoder.a, encoder.b, exc)
            return
        self._dial_function = encoder.function
        dial.when_rotated_clockwise = self._from_thread(self._turned, 1)
        dial.when_rotated_counter_clockwise = self._from_thread(self._turned, -1)
        self._devices.append(dial)
        if encoder.switch is not None:
            self._add_button(DIAL_SWITCH, encoder.switch, ENCODER_SWITCH_ACTION)

    def _from_thread(self, fn: Callable[..., None], *args: Any) -> Callable[[], None]:
        """A gpiozero callback that only hands ``fn(*args)`` to the main loop (never calls the engine)."""
        job = partial(fn, *args)

        def callback() -> None:
            if not self._closed:
                self._post(job)

        return callback

    # --- on the main loop ---

    def _pressed(self, key: Hashable, action: str) -> None:
        if self._closed:
            return
        intent = intent_of(action)
        if intent is not None:
            self._control.post(intent, Source.BUTTON)
        self._flash(action)
        wait_s = self._hold.press(key, action)
        if wait_s is not None:
            self._after(wait_s + _HOLD_SLACK_S, self._check_hold)

    def _released(self, key: Hashable) -> None:
        if not self._closed:
            self._hold.release(key)

    def _check_hold(self) -> None:
        if not self._closed and self._hold.check():
            log.info("gpio: staff hold: asking for the staff PIN")
            if self._on_staff is not None:
                self._on_staff()

    def _turned(self, step: int) -> None:
        if self._closed:
            return
        if self._dial_function == "volume":
            self._control.post(Intent.VOLUME_UP if step > 0 else Intent.VOLUME_DOWN, Source.DIAL)
        else:
            self._control.post(Intent.TUNE_DECADE, Source.DIAL, step)

    def _on_view(self, view: SessionView) -> None:
        if self._closed:
            return
        self._view = view
        for action in self._leds:
            if not self._flash_token.get(action):
                self._show(action, led_level(action, view).value)

    def _flash(self, action: str) -> None:
        if action not in self._leds:
            return
        token = self._flash_token.get(action, 0) + 1
        self._flash_token[action] = token
        self._show(action, "flash")
        self._after(FLASH_S, partial(self._end_flash, action, token))

    def _end_flash(self, action: str, token: int) -> None:
        if self._closed or self._flash_token.get(action) != token:
            return  # a newer press flashes on
        self._flash_token[action] = 0
        if self._view is not None:
            self._show(action, led_level(action, self._view).value)

    def _show(self, action: str, look: str) -> None:
        """Put ``action``'s LED in ``look`` (off, on, breathe, flash), touching the pin only on a change."""
        led = self._leds[action]
        if self._shown.get(action) == look:
            return
        steady = self._shown.get(action, LedLevel.OFF.value) if look == "flash" else look
        self._shown[action] = look
        if not self._pwm:
            lit = steady != LedLevel.OFF.value
            led.value = (not lit) if look == "flash" else lit  # a plain LED flashes by inverting
        elif look == "flash":
            led.value = 1.0
        elif look == LedLevel.BREATHE.value:
            led.pulse(fade_in_time=BREATH_IN_S, fade_out_time=BREATH_OUT_S, background=True)
        else:
            led.value = LIT_BRIGHTNESS if look == LedLevel.ON.value else 0.0

    def _after(self, delay_s: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the main loop after ``delay_s`` (timer thread -> post_to_main); cancelled on close."""
        timer_id = next(self._timer_ids)

        def fire() -> None:
            self._timers.pop(timer_id, None)
            if not self._closed:
                self._post(fn)

        self._timers[timer_id] = self._call_later(delay_s, fire)

    # --- teardown ---

    def close(self) -> None:
        """Stop timers, switch the LEDs off, release every pin (and the factory when this handle made it)."""
        if self._closed:
            return
        self._closed = True
        for cancel in list(self._timers.values()):
            cancel()
        self._timers.clear()
        for led in self._leds.values():
            try:
                led.off()
            except Exception:  # closing must go on whatever one pin says
                log.debug("gpio: LED off failed on close", exc_info=True)
        for device in reversed(self._devices):
            try:
                device.close()
            except Exception:
                log.debug("gpio: close failed", exc_info=True)
        self._devices.clear()
        self._leds.clear()
        if self._own_factory and self._factory is not None:
            try:
                self._factory.close()
            except Exception:
                log.debug("gpio: pin factory close failed", exc_info=True)


def start_gpio(
    config: Config,
    control: SessionControl,
    post_to_main: PostToMain,
    *,
    on_staff: Callable[[], None] | None = None,
    pin_factory: Any | None = None,
    monotonic: Callable[[], float] | None = None,
    call_later: CallLater = timer_call_later,
) -> GpioHandle:
    """Open the configured buttons, LEDs and dial and connect them to ``control``. Never raises.

    ``post_to_main(fn)`` must be thread-safe and run ``fn`` soon on the main loop. ``on_staff()`` is called on
    the main loop when the staff hold (or a held ``staff`` button) asks for the staff PIN screen.
    ``pin_factory``: tests pass gpiozero's ``MockFactory``; None picks the real one (see
    :func:`open_pin_factory`). Off a Pi the handle is disabled (``enabled`` False) and opens nothing.
    """
    import time

    own = pin_factory is None
    status = "gpio: test pin factory"
    if pin_factory is None:
        pin_factory, status = open_pin_factory()
    if not config.gpio and not config.gpio_options.leds and config.gpio_options.encoder is None:
        if own and pin_factory is not None:
            pin_factory.close()
        pin_factory, own = None, False
        status = "no GPIO buttons configured ([gpio.pins] is empty)"
    return GpioHandle(
        config,
        control,
        post_to_main,
        pin_factory=pin_factory,
        status=status,
        own_factory=own,
        on_staff=on_staff,
        monotonic=monotonic or time.monotonic,
        call_later=call_later,
    )
