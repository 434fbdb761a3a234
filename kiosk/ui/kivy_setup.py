"""Kivy settings for a kiosk, applied before Kivy opens its window (they are read at window creation).

Fullscreen and borderless, no cursor, one touch = one event (``mouse,disable_on_activity``: the touchscreen's
mouse emulation is ignored while real touches arrive), no OS screensaver while the app runs, a modest frame
cap, and no Kivy log files on the SD card.
"""

from __future__ import annotations

import os
from typing import Any

MAX_FPS = 30


def kiosk_settings(display: Any, *, windowed: bool) -> dict[tuple[str, str], str]:
    """The (section, key) -> value pairs for ``kivy.config.Config`` (plain data, testable)."""
    settings = {
        ("graphics", "fullscreen"): "0" if windowed else "auto",
        ("graphics", "borderless"): "0" if windowed else "1",
        ("graphics", "show_cursor"): "1" if windowed else "0",
        ("graphics", "allow_screensaver"): "0",
        ("graphics", "maxfps"): str(MAX_FPS),
        ("graphics", "resizable"): "0",
        ("graphics", "width"): str(int(display.width)),
        ("graphics", "height"): str(int(display.height)),
        # Kivy turns the picture and maps every touch through the same rotation (Window.rotation), so both
        # stay together; the panel's own rotation= overlay option turns only the text console.
        ("graphics", "rotation"): str(int(getattr(display, "rotation_deg", 0))),
        ("input", "mouse"): "mouse,disable_on_activity",
        ("kivy", "exit_on_escape"): "0",
        ("kivy", "log_enable"): "0",
        ("kivy", "pause_on_minimize"): "0",
        ("kivy", "keyboard_mode"): "system",
    }
    return settings


def configure_kivy(display: Any, *, windowed: bool) -> None:
    """Apply :func:`kiosk_settings`; call before anything imports ``kivy.core.window``."""
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    for (section, key), value in kiosk_settings(display, windowed=windowed).items():
        if not Config.has_section(section):
            Config.add_section(section)
        Config.set(section, key, value)
