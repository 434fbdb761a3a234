"""Button LEDs on gpiozero's MockPWMPin: lit / off / breathing across engine states, a flash per press."""

from __future__ import annotations

import threading

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.adapters.gpio import MainQueue, start_gpio
from kiosk.config import Config, GpioOptions
from kiosk.domain.buttons_leds import LIT_BRIGHTNESS
from kiosk.domain.intents import SessionView, SongView, Status
from tests.adapters.test_gpio import DEFAULT, FakeTimers
from tests.fakes import FakeSessionControl

LEDS = {"play_pause": 5, "next": 6, "like": 12, "volume_up": 13, "volume_down": 4}
SONG = SongView("s1", "Moon River", "Andy Williams", 1962, "1960s", 160.0)


@pytest.fixture
def factory():
    factory = MockFactory(pin_class=MockPWMPin)
    yield factory
    factory.reset()
    factory.close()


@pytest.fixture
def leds(factory):
    handles = []

    def make(pwm=True):
        control, main, timers = FakeSessionControl(), MainQueue(), FakeTimers()
        options = GpioOptions(leds=dict(LEDS), led_pwm=pwm)
        handle = start_gpio(
            Config(gpio=dict(DEFAULT), gpio_options=options),
            control,
            main.post,
            pin_factory=factory,
            call_later=timers,
        )
        handles.append(handle)
        return control, main, timers

    yield make
    for handle in handles:
        handle.close()


def level(factory, action):
    return factory.pin(LEDS[action]).state


def playing(**kw):
    return SessionView(status=Status.PLAYING, song=SONG, volume_pct=40, volume_cap_pct=80, **kw)


def wait_for_breathing(pin, timeout_s=5.0):
    """True once the pin has gone through several brightness levels (PWMLED.pulse runs on its own thread)."""
    done = threading.Event()
    for _ in range(int(timeout_s / 0.02)):
        if len({round(s.state, 2) for s in pin.states[-20:]}) >= 4:
            return True
        done.wait(0.02)
    return False


def test_idle_only_play_pause_is_lit(factory, leds):
    leds()
    assert level(factory, "play_pause") == pytest.approx(LIT_BRIGHTNESS)
    assert level(factory, "next") == pytest.approx(LIT_BRIGHTNESS)  # "Another song" starts music too
    for action in ("like", "volume_up", "volume_down"):
        assert level(factory, action) == 0


def test_playing_breathes_play_pause_and_lights_the_rest(factory, leds):
    control, *_ = leds()
    control.publish(playing())
    assert wait_for_breathing(factory.pin(LEDS["play_pause"]))
    for action in ("next", "like", "volume_up", "volume_down"):
        assert level(factory, action) == pytest.approx(LIT_BRIGHTNESS)
    control.publish(SessionView(status=Status.PAUSED, song=SONG, volume_pct=40, volume_cap_pct=80))
    assert level(factory, "play_pause") == pytest.approx(LIT_BRIGHTNESS)  # paused: steady, not breathing
    control.publish(SessionView(status=Status.ENDED))
    assert [level(factory, a) for a in ("like", "volume_up", "volume_down")] == [0, 0, 0]
    assert level(factory, "play_pause") == pytest.approx(LIT_BRIGHTNESS)  # one press brings more music


def test_limits_switch_leds_off(factory, leds):
    control, *_ = leds()
    liked = SongView("s1", "Moon River", "Andy Williams", 1962, "1960s", 160.0, liked=True)
    control.publish(SessionView(status=Status.PLAYING, song=liked, volume_pct=80, volume_cap_pct=80))
    assert level(factory, "like") == 0
    assert level(factory, "volume_up") == 0
    assert level(factory, "volume_down") == pytest.approx(LIT_BRIGHTNESS)


def test_same_view_again_does_not_touch_the_pins(factory, leds):
    control, *_ = leds()
    control.publish(SessionView(status=Status.PAUSED, song=SONG, volume_pct=40))
    pin = factory.pin(LEDS["next"])
    before = len(pin.states)
    for position in range(0, 5000, 250):  # the engine publishes position updates
        control.publish(SessionView(status=Status.PAUSED, song=SONG, volume_pct=40, position_ms=position))
    assert len(pin.states) == before


def test_each_press_flashes_then_returns_to_its_state(factory, leds):
    control, main, timers = leds()
    press_pin = factory.pin(22)
    press_pin.drive_low()
    main.drain()
    assert level(factory, "like") == 1.0  # off in idle, flashes on
    assert timers.fire_all() == [pytest.approx(0.2)]
    main.drain()
    assert level(factory, "like") == 0
    control.publish(playing())
    press_pin.drive_high()
    press_pin.drive_low()
    main.drain()
    assert level(factory, "like") == 1.0  # lit at 0.6, flashes to full
    timers.fire_all()
    main.drain()
    assert level(factory, "like") == pytest.approx(LIT_BRIGHTNESS)


def test_rapid_presses_keep_flashing_until_the_last_flash_ends(factory, leds):
    _, main, timers = leds()
    pin = factory.pin(22)
    pin.drive_low()
    main.drain()
    first = list(timers.pending)
    pin.drive_high()
    pin.drive_low()
    main.drain()
    first[0][1]()  # the first flash's end arrives while the second flash is on
    main.drain()
    assert level(factory, "like") == 1.0
    timers.fire_all()
    main.drain()
    assert level(factory, "like") == 0


def test_a_flash_arriving_with_a_state_change_ends_in_the_new_state(factory, leds):
    control, main, timers = leds()
    factory.pin(17).drive_low()
    main.drain()
    control.publish(playing())  # the engine starts the music while the flash is on
    assert level(factory, "play_pause") == 1.0
    timers.fire_all()
    main.drain()
    assert wait_for_breathing(factory.pin(LEDS["play_pause"]))


def test_plain_leds_light_and_flash_by_inverting(factory, leds):
    control, main, timers = leds(pwm=False)
    assert level(factory, "play_pause") == 1 and level(factory, "like") == 0
    control.publish(playing())
    assert level(factory, "play_pause") == 1  # a plain LED cannot breathe: steady on
    factory.pin(22).drive_low()
    main.drain()
    assert level(factory, "like") == 0  # lit LED flashes dark
    timers.fire_all()
    main.drain()
    assert level(factory, "like") == 1
