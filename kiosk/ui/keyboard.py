"""The arcade buttons on a desktop keyboard, so the whole kiosk can be tried without a Pi.

Space = Play/Pause, Right arrow = Another song, L = I like this, + = Louder, - = Quieter (the keypad's + and -
too): the ``keys`` column of the control table (:data:`kiosk.domain.controls.CONTROLS`), read at each press,
so a control given keys there is on the keyboard with nothing to change here. Only those keys are bound;
Escape and the like belong to the app. A key held down (auto-repeat) acts once, like a leaned-on arcade
button. The mapping is a plain function; :func:`bind_keyboard` connects it to a Kivy window (on the main loop,
so it posts straight to the session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.domain import controls
from kiosk.domain.intents import Intent, Source

# Kivy's key names (``Keyboard.keycodes``) that are not a character of their own -> (key code, what it types).
# A character in the table is its own key code (Kivy/SDL2 use the ASCII code of the unshifted key).
NAMED_KEYS: dict[str, tuple[int, str]] = {
    "spacebar": (32, " "),
    "enter": (13, ""),
    "left": (276, ""),
    "up": (273, ""),
    "right": (275, ""),
    "down": (274, ""),
    "numpadadd": (270, ""),
    "numpadsubstract": (269, ""),
}


def key_codes(key: str) -> tuple[int, set[str]]:
    """A table key (a character or a name in :data:`NAMED_KEYS`) -> (its Kivy key code, the characters it
    types: a letter in both cases). KeyError for a name Kivy does not have here."""
    if len(key) == 1:
        return ord(key.lower()), {key, key.lower(), key.upper()}
    code, typed = NAMED_KEYS[key]
    return code, {typed} - {""}


Post = Callable[[Intent, Source], None]


def intent_for_key(
    key: int, codepoint: str | None = None, modifiers: list[str] | tuple[str, ...] = ()
) -> Intent | None:
    """The intent a key press stands for, or None (the key is not ours). Ctrl/Alt/Meta chords are not ours."""
    if any(m in ("ctrl", "alt", "meta", "super") for m in modifiers):
        return None
    by_code: dict[int, Intent] = {}
    by_char: dict[str, Intent] = {}
    for control in controls.all_controls():
        if control.intent is None:
            continue
        for name in control.keys:
            code, typed = key_codes(name)
            by_code.setdefault(code, control.intent)
            for char in typed:
                by_char.setdefault(char, control.intent)
    if key in by_code:
        return by_code[key]
    return by_char.get(codepoint or "")


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
