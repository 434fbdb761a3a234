"""The arcade buttons on a desktop keyboard, so the whole kiosk can be tried without a Pi.

Space = Play/Pause, Right arrow = Another song, L = I like this, + = Louder, - = Quieter (the keypad's + and -
too). Only these keys are bound; Escape and the like belong to the app. A key held down (auto-repeat) acts
once, like a leaned-on arcade button. The mapping is a plain function; :func:`bind_keyboard` connects it to a
Kivy window (on the main loop, so it posts straight to the session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.domain.intents import Intent, Source

# Kivy key codes (SDL2): printable keys are their ASCII code, the rest Kivy's own numbers.
KEY_SPACE = 32
KEY_RIGHT = 275
KEY_L = ord("l")
KEY_PLUS = ord("+")  # layouts with a + key of their own
KEY_EQUALS = ord("=")  # the "= +" key of a US/UK keyboard, with or without Shift
KEY_MINUS = ord("-")
KEY_KP_PLUS = 270
KEY_KP_MINUS = 269

KEYS: dict[int, Intent] = {
    KEY_SPACE: Intent.PLAY_PAUSE,
    KEY_RIGHT: Intent.NEXT,
    KEY_L: Intent.LIKE,
    KEY_PLUS: Intent.VOLUME_UP,
    KEY_EQUALS: Intent.VOLUME_UP,
    KEY_KP_PLUS: Intent.VOLUME_UP,
    KEY_MINUS: Intent.VOLUME_DOWN,
    KEY_KP_MINUS: Intent.VOLUME_DOWN,
}
CODEPOINTS: dict[str, Intent] = {
    " ": Intent.PLAY_PAUSE,
    "l": Intent.LIKE,
    "L": Intent.LIKE,
    "+": Intent.VOLUME_UP,
    "-": Intent.VOLUME_DOWN,
}

Post = Callable[[Intent, Source], None]


def intent_for_key(
    key: int, codepoint: str | None = None, modifiers: list[str] | tuple[str, ...] = ()
) -> Intent | None:
    """The intent a key press stands for, or None (the key is not ours). Ctrl/Alt/Meta chords are not ours."""
    if any(m in ("ctrl", "alt", "meta", "super") for m in modifiers):
        return None
    if key in KEYS:
        return KEYS[key]
    return CODEPOINTS.get(codepoint or "")


def bind_keyboard(window: Any, post: Post) -> Callable[[], None]:
    """Bind the keys on Kivy ``window`` (``kivy.core.window.Window``); ``post(intent, Source.BUTTON)`` per press.

    Returns a function that unbinds them again. Auto-repeat of a held key is ignored until the key goes up.
    """
    down: set[int] = set()

    def on_key_down(_window: Any, key: int, _scancode: int, codepoint: str | None, modifiers: Any) -> bool:
        intent = intent_for_key(key, codepoint, tuple(modifiers or ()))
        if intent is None:
            return False
        if key not in down:
            down.add(key)
            post(intent, Source.BUTTON)
        return True  # ours: no other handler acts on it

    def on_key_up(_window: Any, key: int, *_args: Any) -> bool:
        down.discard(key)
        return False

    window.bind(on_key_down=on_key_down, on_key_up=on_key_up)

    def unbind() -> None:
        window.unbind(on_key_down=on_key_down, on_key_up=on_key_up)

    return unbind
