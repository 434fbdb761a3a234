"""Run in a subprocess by test_new_mode.py: a throwaway mode added from one ModeSpec and one panel file, over the
REAL engine, player (libvlc, dummy output), catalogue, selection and journal, in an offscreen Kivy window.
Prints one JSON line of what a person would have seen.

Usage: python -m tests.ui.new_mode_flow DATA_DIR MUSIC_DIR PANEL_FILE SCREENSHOT
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

HUM = {"name": "hum", "word": "Hum along", "icon": "note"}


def fits_hum(song: object) -> int:
    """The throwaway mode's fit rule: only "Danny Boy" fits; every other song is contrary."""
    return 2 if "danny" in str(getattr(song, "title", "")).lower() else 0


def main(data_dir: Path, music_dir: Path, panel: Path, shot: Path) -> dict[str, object]:
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kiosk.domain.modes import ModeSpec, register

    # the whole of the new mode: this spec and the panel file the test wrote
    register(ModeSpec(**HUM, fit=fits_hum, fit_word="hummable", calm_rank=10, panel=str(panel)))

    from kiosk.config import AudioConfig, Config, DisplayConfig, KioskConfig, KioskMode, LibraryConfig
    from kiosk.ui.kivy_setup import configure_kivy

    config = Config(
        display=DisplayConfig(dpi=133, width=800, height=480, fullscreen=False),
        audio=AudioConfig(output="dummy", fade_ms=200),
        library=LibraryConfig(music_dir=music_dir),
        kiosk=KioskConfig(mode=KioskMode.LOUNGE),
    )
    configure_kivy(config.display, windowed=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.tests import UnitTestTouch

    from kiosk.devtools import headless
    from kiosk.ui import theme
    from kiosk.ui.app import KioskUI
    from kiosk.ui.widgets import BigButton
    from kiosk.wiring import build_running_kiosk

    Window.size = (800, 480)
    Window.clearcolor = theme.BACKGROUND
    EventLoop.ensure_window()
    kiosk = build_running_kiosk(config, data_dir)
    out: dict[str, object] = {}
    try:
        control = kiosk.control
        ui = KioskUI(config, control, kiosk.residents, kiosk.staff, data_dir=data_dir,
                     play_along_songs=kiosk.play_along_songs)  # fmt: skip
        Window.add_widget(ui.root)
        ui.root.size = Window.size

        def frames(n: int = 3) -> None:
            for _ in range(n):
                control.pump()
                EventLoop.idle()

        def tap(widget: object) -> None:
            frames(1)
            x, y = widget.to_window(*widget.center)  # type: ignore[attr-defined]
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            touch.touch_up()
            frames(2)

        def until(pred, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                frames(1)
                if pred():
                    return True
                time.sleep(0.02)
            return False

        frames()
        out["first_screen"] = ui.sm.current
        ui.open_modes()  # what staff's "Let the resident choose a mode" does
        frames()
        modes = ui.sm.current_screen
        out["modes_screen"] = ui.sm.current
        tiles = [
            w for w in headless.walk(modes) if isinstance(w, BigButton) and w.control.startswith("mode:")
        ]
        out["tiles"] = [t.word for t in tiles]
        out["choices"] = headless.resident_choices(modes)
        tap(next(t for t in tiles if t.word == HUM["word"]))  # one real touch on the new tile
        out["playing"] = until(lambda: control.view().status.value == "playing")
        out["screen"] = ui.sm.current
        view = control.view()
        out["mode"] = view.mode.value if view.mode else None
        out["song"] = view.song.title if view.song else None
        until(lambda: control.view().position_ms > 300, 5.0)
        frames()
        screen = ui.now_playing
        words = screen.ids.hum_words  # the panel file's own label, found by its id
        out["panel_words"] = words.text
        out["panel_visible"] = headless._visible(words)
        out["panel_problems"] = [asdict(p) for p in headless.check_screen(screen, "now_playing-hum")]
        out["now_playing_choices"] = headless.resident_choices(screen)
        ui.root.export_to_png(str(shot))
    finally:
        kiosk.close()
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))))
