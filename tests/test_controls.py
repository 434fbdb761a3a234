"""One control table (kiosk.domain.controls): every control is reachable from each input it applies to (the now
playing screen, the desktop keyboard, the arcade buttons) through that table, and a row added to the table is
all the keyboard and the buttons need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.adapters.gpio import MainQueue, start_gpio
from kiosk.config import Config, GpioOptions, load_config
from kiosk.devtools.demo import DemoSessionControl
from kiosk.domain import controls as table
from kiosk.domain.buttons_hold import STAFF_HOLD_S
from kiosk.domain.controls import Control, RepeatFilter
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.play_along import INSTRUMENTS, instrument_for_button
from kiosk.domain.session import SessionEngine
from kiosk.errors import UserError
from kiosk.ui.keyboard import intent_for_key, key_codes
from kiosk.ui.screens.now_playing_presenter import NowPlayingPresenter
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[1]
# A throwaway control, added to the table by a test only: a "hush" button and key doing what Quieter does.
HUSH = Control("hush", Intent.VOLUME_DOWN, "hush", keys=("h",))


class Timers:
    """call_later for the GPIO adapter: kept until the test fires them."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], None]] = []

    def __call__(self, _delay_s: float, fn: Callable[[], None]) -> Callable[[], None]:
        self.pending.append(fn)
        return lambda: None

    def fire(self) -> None:
        fired, self.pending = self.pending, []
        for fn in fired:
            fn()


def press_button(control: Control, tmp_path: Path, *, led_pin: int | None = None) -> dict[str, object]:
    """Wire ``control``'s action to BCM 5 on gpiozero's MockFactory, press it (held past the staff hold), and
    say what reached the session, whether the staff PIN was asked for, and what its LED showed."""
    factory = MockFactory(pin_class=MockPWMPin)
    session = DemoSessionControl(now=lambda: 0.0, lyrics_dir=tmp_path)
    session.show(Status.PLAYING)
    main, timers, clock, staff = MainQueue(), Timers(), FakeClock(), []
    leds = {control.action: led_pin} if led_pin is not None else {}
    config = Config(gpio={5: control.action}, gpio_options=GpioOptions(staff_hold=(), leds=leds))
    handle = start_gpio(config, session, main.post, on_staff=lambda: staff.append(1), pin_factory=factory,
                        monotonic=clock.monotonic, call_later=timers)  # fmt: skip
    try:
        led_before = factory.pin(led_pin).state if led_pin is not None else None
        factory.pin(5).drive_low()  # pull-up: low = pressed
        main.drain()
        clock.advance(STAFF_HOLD_S + 0.1)
        timers.fire()
        main.drain()
        return {"posted": list(session.posted), "staff": bool(staff), "led": led_before,
                "wired": dict(handle.buttons)}  # fmt: skip
    finally:
        handle.close()
        factory.reset()
        factory.close()


def test_the_table_is_consistent():
    rows = table.all_controls()
    assert len({c.name for c in rows}) == len(rows)
    actions = [c.action for c in rows if c.action]
    assert len(set(actions)) == len(actions)
    codes = [key_codes(k)[0] for c in rows for k in c.keys]  # a key Kivy does not have raises here
    assert len(set(codes)) == len(codes)  # one key, one control
    assert [c.slot for c in table.on_screen()] == list(range(len(table.on_screen())))
    assert sorted(c.instrument for c in rows if c.instrument) == sorted(INSTRUMENTS)  # each pad on one button
    assert all(c.intent in SessionEngine.HANDLERS for c in rows if c.intent is not None)
    from kiosk.ui.icons import ICONS

    for c in table.on_screen():
        looks = [c.look(False), c.look(True), c.feedback(False), c.feedback(True)]
        assert all(look is not None and look.word and look.icon in ICONS for look in looks), c.name
        assert c.intent is not None


def test_the_words_are_for_the_translators():
    """``make i18n-extract`` reads the table: every word in it lands in the template."""
    import shutil

    if not shutil.which("xgettext"):
        pytest.skip("gettext not installed: scripts/apt-packages.txt")
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "kiosk/domain/controls.py" in make
    out = subprocess.run(["xgettext", "--language=Python", "--keyword=N_", "--from-code=UTF-8", "-o", "-",
                          str(ROOT / "kiosk" / "domain" / "controls.py")],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    pot = (ROOT / "kiosk" / "ui" / "locale" / "encore.pot").read_text(encoding="utf-8")
    for c in table.all_controls():
        words = [look.word for look in (c.button, c.button_lit, c.said, c.said_lit) if look is not None]
        for word in [*words, *([c.limit_word] if c.limit_word else [])]:
            assert f'msgid "{word}"' in out
            assert f'msgid "{word}"' in pot, f"{word!r} is not in encore.pot: run `make i18n-extract`"


@pytest.mark.parametrize("control", [c for c in table.all_controls() if c.action], ids=lambda c: c.action)
def test_every_button_action_reaches_the_session_through_the_table(control, tmp_path):
    got = press_button(control, tmp_path)
    assert got["wired"] == {5: control.action}
    if control.intent is None:  # the staff button: held, it asks for the staff PIN, and posts nothing
        assert got["staff"] and got["posted"] == []
    else:
        assert got["posted"] == [(control.intent, Source.BUTTON, None)] and not got["staff"]


@pytest.mark.parametrize("control", [c for c in table.all_controls() if c.keys], ids=lambda c: c.name)
def test_every_key_reaches_its_intent_through_the_table(control):
    for key in control.keys:
        code, typed = key_codes(key)
        assert intent_for_key(code, None) is control.intent
        for char in typed:  # the character typed, whatever key code a layout gives it
            assert intent_for_key(0, char) is control.intent


@pytest.mark.parametrize("control", table.on_screen(), ids=lambda c: c.name)
def test_every_screen_control_posts_its_intent_through_the_presenter(control, tmp_path):
    session = DemoSessionControl(now=lambda: 0.0, lyrics_dir=tmp_path)
    session.show(Status.PLAYING)
    p = NowPlayingPresenter(session, lambda: None)
    shown = {b.name: b for b in p.controls(session.view())}
    look = control.look(False)
    assert look is not None and (shown[control.name].word, shown[control.name].icon) == (look.word, look.icon)
    word, icon = p.press_feedback(control.name)
    assert session.posted == [(control.intent, Source.TOUCH, None)]
    said = [control.feedback(lit) for lit in (False, True)]
    assert (word, icon) in {(s.word, s.icon) for s in said if s} | {(control.limit_word, said[0].icon)}


def test_a_new_row_is_all_the_keyboard_and_the_buttons_need(monkeypatch, tmp_path):
    toml = tmp_path / "kiosk.toml"
    toml.write_text('[gpio.pins]\n5 = "hush"\n\n[gpio.leds]\nhush = 6\n', encoding="utf-8")
    with pytest.raises(UserError, match="unknown action 'hush'"):
        load_config(toml)
    assert intent_for_key(ord("h"), "h") is None

    monkeypatch.setattr(table, "CONTROLS", (*table.CONTROLS, HUSH))
    config = load_config(toml)  # the config check knows the new action
    assert config.gpio == {5: "hush"} and config.gpio_options.leds == {"hush": 6}
    got = press_button(HUSH, tmp_path, led_pin=6)
    assert got["posted"] == [(Intent.VOLUME_DOWN, Source.BUTTON, None)]
    assert got["led"]  # its LED is lit while a song plays: pressing it does something
    assert intent_for_key(ord("h"), "h") is Intent.VOLUME_DOWN
    assert intent_for_key(0, "H") is Intent.VOLUME_DOWN
    assert instrument_for_button("hush") is None  # no instrument given: it keeps its action in Play along
    assert instrument_for_button("volume_down") == "drum"
    monkeypatch.setattr(table, "CONTROLS", (*table.CONTROLS[:-1], replace(HUSH, instrument="drum")))
    assert instrument_for_button("hush") == "drum"


def test_one_repeat_rule_for_the_screen_and_the_engine():
    """The 400 ms rule is one class with one number: the screen's tap filter and the engine's default use it."""
    from kiosk.domain.session_record import EngineSettings
    from kiosk.ui.touch import TapFilter

    assert issubclass(TapFilter, RepeatFilter)
    assert TapFilter().window_s == EngineSettings().tap_debounce_s == table.REPEAT_S == 0.4
    t = [0.0]
    f = RepeatFilter(now=lambda: t[0])
    assert f.accept("pad:drum", 0.12) and f.accept("next")
    t[0] = 0.2
    assert f.accept("pad:drum", 0.12) and not f.accept("next")  # a pad's own window, shorter than 400 ms
    t[0] = 0.41
    assert f.accept("next")


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from kiosk.devtools import headless
    from kiosk.domain import controls as table
    from kiosk.domain.intents import Intent, Status
    from kiosk.ui.keyboard import bind_keyboard, key_codes

    h = headless.start(800, 480, 133)
    h.control.show(Status.PLAYING, song=1)
    h.frame(3)
    out = {"screen": {}, "buttons": {}, "keys": {}}
    for c in table.on_screen():
        button = h.ui.now_playing.ids["c_" + c.name]
        out["buttons"][c.name] = [button.word, button.icon, button.control]
        before = len(h.control.posted)
        h.tap(button)
        h.clock.advance(1)
        out["screen"][c.name] = [[i.value, s.value] for i, s, _a in h.control.posted[before:]]
        out.setdefault("said", {})[c.name] = [h.ui.now_playing.feedback, h.ui.now_playing.feedback_icon]
        h.control.show(Status.PLAYING, song=1)
        h.frame(2)
    from kivy.core.window import Keyboard, Window

    posts = []
    bind_keyboard(Window, lambda intent, source: posts.append([intent.value, source.value]))

    def press(name):
        code, typed = key_codes(name)
        out.setdefault("kivy_codes", {})[name] = [code, Keyboard.keycodes.get(name, ord(name) if len(name) == 1 else None)]
        before = len(posts)
        Window.dispatch("on_key_down", code, 0, next(iter(typed), None), [])
        Window.dispatch("on_key_up", code, 0)
        return posts[before:]

    for c in table.all_controls():
        for name in c.keys:
            out["keys"][c.name + ":" + name] = press(name)
    table.CONTROLS = (*table.CONTROLS, table.Control("hush", Intent.VOLUME_DOWN, "hush", keys=("h",)))
    out["keys"]["hush:h"] = press("h")
    print("JSON:" + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def real_window(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_NO_CONSOLELOG="1", KIVY_HOME=str(tmp_path_factory.mktemp("kivy-home")),
               PYTHONPATH=str(ROOT))  # fmt: skip
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env,
                         check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(next(ln for ln in out.stdout.splitlines() if ln.startswith("JSON:"))[5:])


def test_every_screen_button_on_a_real_window_is_a_table_row(real_window):
    for c in table.on_screen():
        look = c.look(False)
        assert look is not None
        assert real_window["buttons"][c.name] == [look.word, look.icon, c.name]
        assert real_window["screen"][c.name] == [[str(c.intent), "touch"]]  # one touch, one intent
        said = real_window["said"][c.name]
        assert said[0] and said[1] in {s.icon for s in (c.feedback(False), c.feedback(True)) if s}


def test_every_key_on_a_real_window_posts_through_the_table_and_a_new_row_too(real_window):
    for c in table.all_controls():
        for name in c.keys:
            assert real_window["keys"][f"{c.name}:{name}"] == [[str(c.intent), "button"]]
            code, kivy_code = real_window["kivy_codes"][name]
            assert code == kivy_code  # the key code is the one Kivy gives that key
    assert real_window["keys"]["hush:h"] == [["volume_down", "button"]]


def test_the_action_names_people_write_stay_valid(tmp_path):
    """kiosk.toml's action names come from the table: the example config lists them all, and the guide's
    wiring loads strictly (a renamed or removed action would break homes' files)."""
    import re

    example = (ROOT / "content" / "kiosk.example.toml").read_text(encoding="utf-8")
    listed = re.search(r"^# Actions: (.*)$", example, re.M)
    assert listed is not None
    names = re.sub(r"\s*\(.*?\)", "", listed.group(1)).rstrip(".").split(", ")
    assert names == [c.action for c in table.all_controls() if c.action]
    guide = (ROOT / "docs" / "guide" / "gpio.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[gpio\.pins\].*?)```", guide, re.S)
    assert block is not None
    toml = tmp_path / "kiosk.toml"
    toml.write_text(block.group(1), encoding="utf-8")
    config = load_config(toml)
    assert set(config.gpio.values()) | set(config.gpio_options.leds) <= set(table.Actions())
    assert config.gpio_options.staff_hold == ("volume_down", "volume_up")
