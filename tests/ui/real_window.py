"""The REAL kiosk (engine, player on libvlc's dummy output, catalogue, residents, selection, journal) under the
touch UI in an offscreen Kivy window, driven by real touches. Shared by the subprocess flows
(real_kiosk_flow.py, new_mode_flow.py); import it only in such a subprocess (Kivy opens one window per process).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class RealKiosk:
    kiosk: Any  # kiosk.wiring.RunningKiosk
    ui: Any  # kiosk.ui.app.KioskUI

    def frames(self, n: int = 3) -> None:
        """Let the engine pump and Kivy draw ``n`` frames."""
        from kivy.base import EventLoop

        for _ in range(n):
            self.kiosk.control.pump()
            EventLoop.idle()

    def tap(self, widget: Any) -> None:
        """One real touch (down, up) at the middle of ``widget``, through Kivy's input path."""
        from kivy.tests import UnitTestTouch

        self.frames(1)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.frames(2)

    def until(self, pred: Callable[[], bool], seconds: float = 10.0) -> bool:
        """Draw frames until ``pred()`` holds (True) or ``seconds`` pass (False)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.frames(1)
            if pred():
                return True
            time.sleep(0.02)
        return False


@contextmanager
def real_kiosk(data_dir: Path, music_dir: Path) -> Iterator[RealKiosk]:
    """A lounge kiosk at 800x480, 133 DPI, over the data folder; closed (in reverse) at the end."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
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

    from kiosk.ui import theme
    from kiosk.ui.app import KioskUI
    from kiosk.wiring import build_running_kiosk

    Window.size = (800, 480)
    Window.clearcolor = theme.BACKGROUND
    EventLoop.ensure_window()
    kiosk = build_running_kiosk(config, data_dir)
    try:
        ui = KioskUI(config, kiosk.control, kiosk.residents, kiosk.staff, data_dir=data_dir,
                     play_along_songs=kiosk.play_along_songs)  # fmt: skip
        Window.add_widget(ui.root)
        ui.root.size = Window.size
        yield RealKiosk(kiosk, ui)
    finally:
        kiosk.close()
