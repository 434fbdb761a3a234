"""Run in a subprocess by test_new_mode.py: a throwaway mode added from one ModeSpec and one panel file, over the
REAL engine, player (libvlc, dummy output), catalogue, selection and journal, in an offscreen Kivy window.
Prints one JSON line of what a person would have seen.

Usage: python -m tests.ui.new_mode_flow DATA_DIR MUSIC_DIR PANEL_FILE SCREENSHOT
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

HUM = {"name": "hum", "word": "Hum along", "icon": "note"}


def fits_hum(song: object) -> int:
    """The throwaway mode's fit rule: only "Danny Boy" fits; every other song is contrary."""
    return 2 if "danny" in str(getattr(song, "title", "")).lower() else 0


def main(data_dir: Path, music_dir: Path, panel: Path, shot: Path) -> dict[str, object]:
    from kiosk.domain.modes import ModeSpec, register

    # the whole of the new mode: this spec and the panel file the test wrote
    register(ModeSpec(**HUM, fit=fits_hum, fit_word="hummable", calm_rank=10, panel=str(panel)))
    from tests.ui.real_window import real_kiosk

    out: dict[str, object] = {}
    with real_kiosk(data_dir, music_dir) as real:
        from kiosk.devtools import headless
        from kiosk.ui.widgets import BigButton

        control, ui = real.kiosk.control, real.ui
        real.frames()
        out["first_screen"] = ui.sm.current
        ui.open_modes()  # what staff's "Let the resident choose a mode" does
        real.frames()
        modes = ui.sm.current_screen
        out["modes_screen"] = ui.sm.current
        tiles = [
            w for w in headless.walk(modes) if isinstance(w, BigButton) and w.control.startswith("mode:")
        ]
        out["tiles"] = [t.word for t in tiles]
        out["choices"] = headless.resident_choices(modes)
        real.tap(next(t for t in tiles if t.word == HUM["word"]))  # one real touch on the new tile
        out["playing"] = real.until(lambda: control.view().status.value == "playing")
        out["screen"] = ui.sm.current
        view = control.view()
        out["mode"] = view.mode.value if view.mode else None
        out["song"] = view.song.title if view.song else None
        real.until(lambda: control.view().position_ms > 300, 5.0)
        real.frames()
        screen = ui.now_playing
        words = screen.ids.hum_words  # the panel file's own label, found by its id
        out["panel_words"] = words.text
        out["panel_visible"] = headless._visible(words)
        out["panel_problems"] = [asdict(p) for p in headless.check_screen(screen, "now_playing-hum")]
        out["now_playing_choices"] = headless.resident_choices(screen)
        ui.root.export_to_png(str(shot))
    return out


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))))
