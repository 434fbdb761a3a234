"""The desktop keyboard stands in for the arcade buttons: the mapping, and a real (offscreen) Kivy window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from kiosk.domain.intents import Intent
from kiosk.ui.keyboard import intent_for_key


@pytest.mark.parametrize(
    ("key", "codepoint", "modifiers", "intent"),
    [
        (32, " ", (), Intent.PLAY_PAUSE),
        (275, None, (), Intent.NEXT),
        (108, "l", (), Intent.LIKE),
        (108, "L", ("shift",), Intent.LIKE),
        (61, "+", ("shift",), Intent.VOLUME_UP),
        (61, "=", (), Intent.VOLUME_UP),
        (43, "+", (), Intent.VOLUME_UP),
        (270, None, (), Intent.VOLUME_UP),
        (45, "-", (), Intent.VOLUME_DOWN),
        (269, None, (), Intent.VOLUME_DOWN),
        (27, None, (), None),  # Escape is the app's business
        (276, None, (), None),  # left arrow: nothing
        (108, "l", ("ctrl",), None),  # Ctrl+L is not "I like this"
        (97, "a", (), None),
    ],
)
def test_key_mapping(key, codepoint, modifiers, intent):
    assert intent_for_key(key, codepoint, modifiers) == intent


SCRIPT = textwrap.dedent(
    """
    import json
    from kivy.core.window import Window
    from kiosk.ui.keyboard import bind_keyboard

    posts = []
    unbind = bind_keyboard(Window, lambda intent, source: posts.append([intent.value, source.value]))
    results = []
    def key(name, code, cp=None):
        results.append([name, Window.dispatch("on_key_down", code, 0, cp, [])])
    key("space", 32, " ")
    key("space-repeat", 32, " ")          # auto-repeat of a held key
    Window.dispatch("on_key_up", 32, 0)
    key("space-again", 32, " ")
    Window.dispatch("on_key_up", 32, 0)
    key("right", 275)
    Window.dispatch("on_key_up", 275, 0)
    key("l", 108, "l")
    Window.dispatch("on_key_up", 108, 0)
    key("plus", 270)
    Window.dispatch("on_key_up", 270, 0)
    key("minus", 45, "-")
    Window.dispatch("on_key_up", 45, 0)
    key("escape", 27)
    unbind()
    key("after-unbind", 32, " ")
    print(json.dumps({"posts": posts, "handled": results}))
    """
)


def test_bind_keyboard_on_a_real_kivy_window():
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["posts"] == [
        ["play_pause", "button"],
        ["play_pause", "button"],
        ["next", "button"],
        ["like", "button"],
        ["volume_up", "button"],
        ["volume_down", "button"],
    ]
    handled = dict(result["handled"])
    assert handled["space"] is True and handled["space-repeat"] is True
    assert not handled["escape"]  # not ours: the app's own handler decides
