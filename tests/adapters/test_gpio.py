"""The gpiozero adapter on gpiozero's own MockFactory: buttons, dial, staff hold, threads, teardown."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.adapters.gpio import MainQueue, open_pin_factory, start_gpio
from kiosk.config import Config, GpioOptions
from kiosk.domain.buttons import EncoderPins
from kiosk.domain.intents import Intent, Source
from tests.fakes import FakeClock, FakeSessionControl

DEFAULT = {17: "play_pause", 27: "next", 22: "like", 23: "volume_up", 24: "volume_down"}


class FakeTimers:
    """call_later for tests: keeps (delay, fn) until the test fires them."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, object]] = []
        self.cancelled = 0

    def __call__(self, delay_s, fn):
        entry = (delay_s, fn)
        self.pending.append(entry)

        def cancel():
            if entry in self.pending:
                self.pending.remove(entry)
                self.cancelled += 1

        return cancel

    def fire_all(self) -> list[float]:
        fired, self.pending = self.pending, []
        for _delay, fn in fired:
            fn()
        return [delay for delay, _ in fired]


@pytest.fixture
def factory():
    factory = MockFactory(pin_class=MockPWMPin)
    yield factory
    factory.reset()
    factory.close()


@pytest.fixture
def rig(factory):
    """Start the adapter on a config; returns (handle, control, main queue, timers, clock, staff calls)."""
    handles = []

    def make(gpio=None, **options):
        control = FakeSessionControl()
        main = MainQueue()
        timers = FakeTimers()
        clock = FakeClock()
        staff: list[str] = []
        config = Config(gpio=dict(DEFAULT if gpio is None else gpio), gpio_options=GpioOptions(**options))
        handle = start_gpio(
            config,
            control,
            main.post,
            on_staff=lambda: staff.append(threading.current_thread().name),
            pin_factory=factory,
            monotonic=clock.monotonic,
            call_later=timers,
        )
        handles.append(handle)
        return handle, control, main, timers, clock, staff

    yield make
    for handle in handles:
        handle.close()


def press(factory, pin):
    factory.pin(pin).drive_low()  # arcade button to GND, pull-up: low = pressed


def release(factory, pin):
    factory.pin(pin).drive_high()


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
    ],
)
def test_each_mapping_posts_its_intent_on_press(factory, rig, action, intent):
    handle, control, main, *_ = rig({5: action})
    assert handle.enabled and handle.buttons == {5: action}
    press(factory, 5)
    assert control.posts == []  # the gpiozero callback only queued it for the main loop
    assert main.drain() == 1
    assert control.posts == [(intent, Source.BUTTON, None)]
    release(factory, 5)
    main.drain()
    assert control.posts == [(intent, Source.BUTTON, None)]  # release does nothing


def test_pull_up_and_bounce_time_from_config(factory, rig):
    handle, *_ = rig(bounce_time_ms=35)
    pin = factory.pin(17)
    assert pin.pull == "up"
    assert pin.bounce == pytest.approx(0.035)


def test_a_lean_is_one_press(factory, rig):
    _, control, main, timers, clock, staff = rig()
    press(factory, 27)
    clock.advance(30)  # leaning on "Another song" for half a minute
    timers.fire_all()
    main.drain()
    assert control.intents() == [Intent.NEXT]
    assert staff == []


def test_rapid_presses_each_posted_once(factory, rig):
    _, control, main, *_ = rig()
    for _ in range(12):
        press(factory, 22)
        release(factory, 22)
    main.drain()
    # every edge is one press; the engine's 400 ms rule (not the adapter) merges tremor repeats
    assert control.intents() == [Intent.LIKE] * 12


def test_other_buttons_each_act_on_their_own_press(factory, rig):
    _, control, main, *_ = rig()
    for pin in (17, 24, 23, 27):
        press(factory, pin)
    main.drain()
    assert control.intents() == [Intent.PLAY_PAUSE, Intent.VOLUME_DOWN, Intent.VOLUME_UP, Intent.NEXT]


def test_callbacks_from_another_thread_land_on_the_main_loop_only(factory, rig):
    _, control, main, *_ = rig()
    main_thread = threading.get_ident()
    callback_threads: list[int] = []
    pin = factory.pin(17)
    original = pin.when_changed

    def spy(ticks, state):
        callback_threads.append(threading.get_ident())
        original(ticks, state)

    pin.when_changed = spy
    workers = [
        threading.Thread(target=lambda: (pin.drive_low(), pin.drive_high()), name=f"gpio-{n}")
        for n in range(4)
    ]
    for worker in workers:  # one after another: each thread is a real pin's callback thread
        worker.start()
        worker.join(timeout=10)
    assert callback_threads and main_thread not in callback_threads  # the callbacks ran on other threads
    assert control.posts == []  # ... and touched nothing there
    assert main.drain() == 8  # four presses and four releases handed over
    assert control.intents() == [Intent.PLAY_PAUSE] * 4
    assert set(control.post_threads) == {main_thread}


def test_main_queue_wakes_the_loop():
    wakes = []
    main = MainQueue(waker=lambda: wakes.append(1))
    ran = []
    main.post(lambda: ran.append(1))
    assert wakes == [1] and ran == []
    assert main.drain() == 1 and ran == [1]


@pytest.mark.parametrize(("function", "step_up", "step_down"), [("decade", 1, -1), ("volume", None, None)])
def test_dial_turns_both_ways_each_detent_counts(factory, rig, function, step_up, step_down):
    _, control, main, *_ = rig({}, encoder=EncoderPins(a=20, b=21, switch=26, function=function))
    a, b = factory.pin(20), factory.pin(21)
    for _ in range(3):  # clockwise: A leads B (0, 2, 3, 1, 0)
        a.drive_low(), b.drive_low(), a.drive_high(), b.drive_high()
    for _ in range(2):  # counter-clockwise: B leads A
        b.drive_low(), a.drive_low(), b.drive_high(), a.drive_high()
    a.drive_low(), a.drive_high()  # a jiggle that is no detent
    main.drain()
    if function == "decade":
        assert (
            control.posts
            == [(Intent.TUNE_DECADE, Source.DIAL, 1)] * 3 + [(Intent.TUNE_DECADE, Source.DIAL, -1)] * 2
        )
    else:
        assert (
            control.posts
            == [(Intent.VOLUME_UP, Source.DIAL, None)] * 3 + [(Intent.VOLUME_DOWN, Source.DIAL, None)] * 2
        )
    press(factory, 26)
    main.drain()
    assert control.posts[-1] == (Intent.PLAY_PAUSE, Source.BUTTON, None)


def test_staff_hold_two_buttons_five_seconds(factory, rig):
    _, control, main, timers, clock, staff = rig()
    press(factory, 24)
    main.drain()
    assert timers.pending == []  # one button alone never starts the staff count
    press(factory, 23)
    main.drain()
    assert [round(d, 2) for d, _ in timers.pending if d > 1] == [5.05]
    clock.advance(5.05)
    for _delay, fn in [t for t in timers.pending if t[0] > 1]:
        fn()  # the timer thread only posts ...
    assert staff == []
    main.drain()  # ... the check runs on the main loop
    assert staff == [threading.current_thread().name]
    assert control.intents() == [Intent.VOLUME_DOWN, Intent.VOLUME_UP]  # each still acted on press


def test_staff_hold_released_early_does_nothing(factory, rig):
    _, _, main, timers, clock, staff = rig()
    press(factory, 24)
    press(factory, 23)
    main.drain()
    clock.advance(2)
    release(factory, 23)
    main.drain()
    clock.advance(3.05)
    timers.fire_all()
    main.drain()
    assert staff == []


def test_staff_hold_with_real_timer_threads(factory):
    """The default timer: the staff callback arrives on the main loop after the hold (short hold here)."""
    control = FakeSessionControl()
    arrived = threading.Event()
    main = MainQueue(waker=arrived.set)
    staff: list[int] = []
    config = Config(gpio=dict(DEFAULT), gpio_options=replace(GpioOptions(), staff_hold_s=0.05))
    handle = start_gpio(config, control, main.post, on_staff=lambda: staff.append(1), pin_factory=factory)
    try:
        press(factory, 24)
        press(factory, 23)
        main.drain()
        for _ in range(50):
            arrived.clear()
            assert arrived.wait(timeout=5)
            main.drain()
            if staff:
                break
        assert staff == [1]
    finally:
        handle.close()


def test_close_releases_pins_and_stops_everything(factory, rig):
    handle, control, main, timers, *_ = rig(leds={"next": 5})
    press(factory, 27)
    main.drain()  # a flash timer is now pending
    release(factory, 27)
    press(factory, 27)  # queued for the main loop, not yet run
    handle.close()
    assert timers.pending == [] and timers.cancelled == 1
    main.drain()  # the press queued before close does nothing after it
    assert control.intents() == [Intent.NEXT]
    assert factory.pin(5).state == 0  # LED off
    release(factory, 27)
    press(factory, 27)
    assert main.drain() == 0
    # the pins are free again: a new button can open them
    from gpiozero import Button

    again = Button(27, pin_factory=factory)
    again.close()
    handle.close()  # twice is fine


def test_no_buttons_configured_opens_nothing(factory, rig):
    handle, control, main, *_ = rig({})
    assert not handle.enabled
    assert "no GPIO buttons configured" in handle.status
    assert factory.pins == {}


def test_off_a_pi_buttons_are_disabled_with_a_clear_log(tmp_path, caplog):
    model = tmp_path / "model"
    assert open_pin_factory({}, model)[0] is None
    assert "no GPIO: buttons disabled" in open_pin_factory({}, model)[1]
    assert open_pin_factory({"GPIOZERO_PIN_FACTORY": "mock"}, model)[0] is None
    model.write_text("Raspberry Pi 5 Model B Rev 1.0\x00")
    factory, status = open_pin_factory({"GPIOZERO_PIN_FACTORY": "nonesuch"}, model)
    assert factory is None and "unknown pin factory 'nonesuch'" in status
    try:
        import lgpio  # noqa: F401
    except ImportError:  # this machine: a Pi without lgpio runs on, without buttons, and says why
        factory, status = open_pin_factory({}, model)
        assert factory is None and status.startswith("no GPIO: buttons disabled (lgpio:")
    with caplog.at_level(logging.INFO, logger="kiosk.adapters.gpio"):
        handle = start_gpio(Config(gpio=dict(DEFAULT)), FakeSessionControl(), MainQueue().post)
    assert not handle.enabled
    assert "no GPIO: buttons disabled" in caplog.text
    handle.close()


def test_bad_layout_given_directly_is_left_out_not_fatal(factory, rig, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.adapters.gpio"):
        handle, control, main, *_ = rig(
            {17: "play_pause", 2: "next", 27: "jump"}, i2c=True, leds={"like": 17}
        )
    assert handle.buttons == {17: "play_pause"}
    assert "gpio.leds.like" in caplog.text
    press(factory, 17)
    main.drain()
    assert control.intents() == [Intent.PLAY_PAUSE]


def test_trouble_while_opening_leaves_the_kiosk_running_without_buttons(factory, caplog):
    class BrokenControl(FakeSessionControl):
        def view(self):
            raise RuntimeError("engine not ready")

    with caplog.at_level(logging.WARNING, logger="kiosk.adapters.gpio"):
        handle = start_gpio(
            Config(gpio=dict(DEFAULT)), BrokenControl(), MainQueue().post, pin_factory=factory
        )
    assert not handle.enabled
    assert handle.status == "no GPIO: buttons disabled (engine not ready)"
    assert "buttons disabled" in caplog.text
    from gpiozero import Button

    Button(17, pin_factory=factory).close()  # the pins it had opened were released
