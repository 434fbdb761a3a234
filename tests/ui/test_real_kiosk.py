"""The touch UI over the real engine, libvlc (dummy output), catalogue, residents and selection: a lounge
kiosk goes idle -> "who is listening?" -> music in two taps, and the journal records it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import read_events
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.resident_records import ResidentRecords
from kiosk.app.residents_import import import_file
from kiosk.demo.generate import generate_demo
from kiosk.demo.setup import write_demo_residents

REPO = Path(__file__).resolve().parents[2]


def test_two_taps_from_idle_to_music_on_the_real_kiosk(tmp_path: Path, data_dir: Path) -> None:
    demo = generate_demo(
        tmp_path / "demo",
        only=["daisy-bell", "danny-boy", "oh-susanna", "after-the-ball"],
        min_duration_s=4.0,
    )
    data = DataFolder(data_dir)
    assert scan_library(data, demo.music_dir).songs == len(demo.tracks) >= 3
    import_file(write_demo_residents(tmp_path / "people"), ResidentRecords(data))
    shots = tmp_path / "shots"
    shots.mkdir()
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(tmp_path / "kivy"))
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.real_kiosk_flow", str(data_dir), str(demo.music_dir), str(shots)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first_screen"] == "idle"  # nothing personal at rest
    assert seen["after_tap_1"] == "residents" and "Music for everyone" in seen["tiles"]
    assert seen["playing"] is True and seen["after_tap_2"] == "now_playing"
    assert seen["song"] and len(seen["residents"]) == 1
    assert sorted(p.name[:-8] for p in shots.glob("*.png")) == [
        "real-idle",
        "real-now-playing",
        "real-residents",
    ]
    types = [e["type"] for e in read_events(data_dir / "events")]
    if types:  # the chosen resident may have said no to recording: then nothing about them is journaled
        assert types[:2] == ["session_start", "song_start"]
