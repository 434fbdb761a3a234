"""Run in a subprocess by test_real_kiosk.py: the touch UI over the REAL engine, player (libvlc, dummy output),
catalogue, residents and selection, in an offscreen window. Prints one JSON line of what happened.

Usage: python -m tests.ui.real_kiosk_flow DATA_DIR MUSIC_DIR SCREENSHOT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.ui.real_window import real_kiosk


def main(data_dir: Path, music_dir: Path, shots: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    with real_kiosk(data_dir, music_dir) as real:
        from kivy.core.window import Window

        from kiosk.devtools.headless import resident_targets

        control, ui = real.kiosk.control, real.ui
        real.frames()
        out["first_screen"] = ui.sm.current
        Window.screenshot(str(shots / "real-idle.png"))
        real.tap(ui.idle.ids.touch_target)
        out["after_tap_1"] = ui.sm.current
        tiles = resident_targets(ui.residents)
        out["tiles"] = [t.word for t in tiles]
        Window.screenshot(str(shots / "real-residents.png"))
        person = next(t for t in tiles if t.control.startswith("pick:resident"))
        real.tap(person)
        out["playing"] = real.until(lambda: control.view().status.value == "playing")
        out["after_tap_2"] = ui.sm.current
        view = control.view()
        out["song"] = view.song.title if view.song else None
        out["residents"] = list(view.resident_ids)
        real.until(lambda: control.view().position_ms > 300, 5.0)
        Window.screenshot(str(shots / "real-now-playing.png"))
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
