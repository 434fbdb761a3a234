"""Run in a subprocess by test_real_kiosk.py: the touch UI over the REAL engine, player (libvlc, dummy output),
catalogue, residents and selection, in an offscreen window. Prints one JSON line of what happened.

Usage: python -m tests.ui.real_kiosk_flow DATA_DIR MUSIC_DIR SCREENSHOT_DIR
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(data_dir: Path, music_dir: Path, shots: Path) -> dict[str, object]:
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kiosk.config import AudioConfig, Config, DisplayConfig, KioskConfig, LibraryConfig
    from kiosk.ui.kivy_setup import configure_kivy

    config = Config(
        display=DisplayConfig(dpi=133, width=800, height=480, fullscreen=False),
        audio=AudioConfig(output="dummy", fade_ms=200),
        library=LibraryConfig(music_dir=music_dir),
        kiosk=KioskConfig(mode="lounge"),
    )
    configure_kivy(config.display, windowed=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.tests import UnitTestTouch

    from kiosk.ui import theme
    from kiosk.ui.app import KioskUI
    from kiosk.wiring import build_running_kiosk

    Window.size = (800, 480)
    Window.clearcolor = theme.BACKGROUND
    EventLoop.ensure_window()
    kiosk = build_running_kiosk(config, data_dir)
    out: dict[str, object] = {}
    try:
        control = kiosk.control
        ui = KioskUI(config, control, kiosk.residents, kiosk.staff, data_dir=data_dir)
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
        Window.screenshot(str(shots / "real-idle.png"))
        tap(ui.idle.ids.touch_target)
        out["after_tap_1"] = ui.sm.current
        from kiosk.devtools.headless import resident_targets

        tiles = resident_targets(ui.residents)
        out["tiles"] = [t.word for t in tiles]
        Window.screenshot(str(shots / "real-residents.png"))
        person = next(t for t in tiles if t.control.startswith("pick:resident"))
        tap(person)
        out["playing"] = until(lambda: control.view().status.value == "playing")
        out["after_tap_2"] = ui.sm.current
        view = control.view()
        out["song"] = view.song.title if view.song else None
        out["residents"] = list(view.resident_ids)
        until(lambda: control.view().position_ms > 300, 5.0)
        Window.screenshot(str(shots / "real-now-playing.png"))
    finally:
        kiosk.close()
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
