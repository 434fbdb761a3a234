"""Journey 8: staff start Play along for the lounge (a drumming circle); a resident touches the drum pad while
the song plays and the drum is heard (the mixer's samples, captured), never louder than the music."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.acceptance import disk
from tests.acceptance.audio import read_capture
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.staff_steps import open_staff

Start = Callable[..., KioskProcess]


def test_staff_start_play_along_and_a_touch_on_the_drum_is_heard(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    scan = subprocess.run(  # what staff run after adding music: the scan, then the beat grids
        [sys.executable, "-m", "kiosk", "--data-dir", str(prepared_data), "scan", "--music-dir",
         journey_config.music_dir],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "Beat grids for Play along" in scan.stdout and " 0 with a steady beat" not in scan.stdout
    capture = tmp_path / "heard.pcm"
    kiosk = start_kiosk(prepared_data, config=journey_config, audio_capture=capture)
    open_staff(kiosk)
    kiosk.touch("Play along")  # nobody chosen: the home's mix, every button and pad an instrument
    kiosk.touch("Start a drumming circle")
    kiosk.touch("Back to music")
    seen = kiosk.wait_for_words("Drum", "Jingles", "Shaker", "Wood block", "Bell", "Louder", "Quieter")
    assert seen.screen == "now_playing" and "I like this" not in seen.words  # five choices, pads as one
    heard = disk.wait_until(
        lambda: [h for h in read_capture(capture) if h.slot != 9 and h.peak > 0.01], timeout_s=15
    )
    assert heard, "no music heard"
    touched = time.monotonic()
    kiosk.touch("Drum")
    mixer = Path(str(capture) + ".mixer")
    deadline = time.monotonic() + 5
    drum = []
    while not drum and time.monotonic() < deadline:
        drum = [h for h in read_capture(mixer) if h.mono_s >= touched and h.peak > 0]
        time.sleep(0.05)
    assert drum, "the drum was not heard"
    assert drum[0].mono_s - touched < 1.0  # the touch travels through Kivy's input and the next frame
    music_peak = max(h.peak for h in read_capture(capture) if h.slot != 9)
    assert max(h.peak for h in read_capture(mixer)) <= 0.41  # the kiosk's start volume (40 %): the ceiling
    assert music_peak <= 0.41
