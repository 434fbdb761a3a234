"""A new mode is one ModeSpec plus one panel .kv file (docs/architecture.md, "Where does a new X go"): a
throwaway mode made of exactly those, on the real kiosk (engine, libvlc, catalogue, journal, Kivy offscreen), is
selectable (its tile; its fit rule picks the song), shown (its panel) and journaled (its name in the events)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import read_events
from kiosk.adapters.library_scan import scan_library
from kiosk.demo.generate import generate_demo

REPO = Path(__file__).resolve().parents[2]

# The throwaway mode's panel, written by the test: the song beside a line of its own.
PANEL = """\
#:import theme kiosk.ui.theme
#:import mm kiosk.ui.units.mm
#:import cap kiosk.ui.units.cap

<HumPanel@ModePanel>:
    BoxLayout:
        spacing: mm(4)
        SideSlot:
            PausedSign:
                screen: root.screen
        BoxLayout:
            orientation: 'vertical'
            spacing: mm(1)
            Label:
                id: hum_words
                text: 'Hum along to ' + root.screen.title
                color: theme.TEXT
                bold: True
                font_size: cap(theme.TITLE_CAP_MM)
                text_size: self.width, None
                halign: 'left'
            FeedbackRow:
                screen: root.screen
"""


def test_a_throwaway_mode_from_one_spec_and_one_panel_is_selectable_shown_and_journaled(
    tmp_path: Path, data_dir: Path
) -> None:
    demo = generate_demo(
        tmp_path / "demo",
        only=["daisy-bell", "danny-boy", "oh-susanna", "after-the-ball"],
        min_duration_s=4.0,
    )
    assert scan_library(DataFolder(data_dir), demo.music_dir).songs == len(demo.tracks) >= 3
    assert "Danny Boy" in [t.title for t in demo.tracks]
    panel = tmp_path / "hum.kv"
    panel.write_text(PANEL, encoding="utf-8")
    shot = tmp_path / "now_playing-hum.png"
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path / "kivy"))
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.new_mode_flow", str(data_dir), str(demo.music_dir), str(panel), str(shot)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    # selectable: its tile on the modes screen, still at most five choices (no song has a beat grid here, so
    # Play along's tile is not offered), and one touch on it starts music in that mode
    assert seen["first_screen"] == "idle" and seen["modes_screen"] == "modes"
    assert sorted(seen["tiles"]) == ["Hum along", "Listen", "Move", "Relax", "Sing along"]
    assert seen["choices"] == 5
    assert seen["playing"] is True and seen["mode"] == "hum"
    assert seen["song"] == "Danny Boy"  # the only song its fit rule says fits: selection put it first
    # shown: now playing shows its panel, which passes the screen checks (sizes, contrast, <= 5 choices)
    assert seen["screen"] == "now_playing"
    assert seen["panel_words"] == "Hum along to Danny Boy" and seen["panel_visible"] is True
    assert seen["panel_problems"] == [] and seen["now_playing_choices"] == 5
    assert shot.stat().st_size > 0
    # journaled: the choice of the mode and the song it started carry its name
    events = list(read_events(data_dir / "events"))
    assert [e["detail"]["mode"] for e in events if e["type"] == "mode"] == ["hum"]
    starts = [e["detail"] for e in events if e["type"] == "song_start"]
    assert starts and starts[0]["mode"] == "hum" and starts[0]["title"] == "Danny Boy"
