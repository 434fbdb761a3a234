"""Journey 4: staff lower a resident's volume limit while her song plays: the sound drops to the new limit at
once (decoded samples, through libvlc's audio callbacks) and "Louder" cannot pass it."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.acceptance import disk
from tests.acceptance.audio import read_capture
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.staff_steps import open_panel, open_staff, touch_px

Start = Callable[..., KioskProcess]
SLIDER_PAD_PX = 16  # Kivy's Slider keeps this much of its width free at each end


TAP_GAP_S = 0.5  # a person's touches on the same button, further apart than the 400 ms tremor filter
TONE_PEAK = 10 ** (-0.5 / 20)  # the songs here are steady tones at -0.5 dB: what is heard is volume x this


@pytest.fixture
def tone_data(tmp_path: Path, journey_config: KioskConfig) -> tuple[Path, KioskConfig]:
    """A data folder whose songs are steady tones (so loudness is the volume, not the music), the demo
    residents imported."""
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.library_scan import scan_library
    from kiosk.adapters.resident_records import ResidentRecords
    from kiosk.app.residents_import import import_file
    from kiosk.demo.setup import write_demo_residents
    from tests.audiofiles import write_tags

    music, data_dir = tmp_path / "tones", tmp_path / "tone-data"
    music.mkdir()
    for i, freq in enumerate((330, 440, 550)):
        path = music / f"tone{i}.wav"
        subprocess.run(["sox", "-q", "-R", "-n", "-r", "44100", "-c", "2", str(path), "synth", "60", "sine",
                        str(freq), "gain", "-0.5"], check=True, timeout=60)  # fmt: skip
        write_tags(path, "wav", title=f"Steady tone {i}", artist="Test", date="1930")
    data = DataFolder(data_dir)
    scan_library(data, music)
    import_file(write_demo_residents(tmp_path / "people"), ResidentRecords(data))
    return data_dir, dataclasses.replace(journey_config, music_dir=str(music))


def _hears(capture: Path, level: float, after_s: float, timeout_s: float = 8.0) -> float:
    """Wait until a buffer decoded after ``after_s`` (monotonic) peaks at ``level`` x the tone: what a person
    hears; returns when that buffer was decoded."""

    def heard() -> float:
        return min((h.mono_s for h in read_capture(capture)
                    if h.mono_s > after_s and abs(h.peak - level * TONE_PEAK) < 0.02), default=0.0)  # fmt: skip

    at = disk.wait_until(heard, timeout_s)
    assert at, (level, [round(h.peak, 3) for h in read_capture(capture) if h.mono_s > after_s][-20:])
    return at


def _press_louder(kiosk: KioskProcess, times: int) -> float:
    """Louder ``times`` times at a person's pace (further apart than the 400 ms tremor filter, counted from
    when the kiosk has shown the last touch); returns when the last touch was shown."""
    shown = 0.0
    for _ in range(times):
        kiosk.pause(max(0.0, shown + TAP_GAP_S - time.monotonic()))
        kiosk.touch("Louder")
        shown = time.monotonic()
    return shown


def test_staff_lower_the_volume_limit_mid_song_and_louder_cannot_pass_it(
    tone_data: tuple[Path, KioskConfig], start_kiosk: Start, tmp_path: Path
) -> None:
    prepared_data, config = tone_data
    capture = tmp_path / "heard.pcm"
    kiosk = start_kiosk(prepared_data, config=config, audio_capture=capture)
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")  # her limit: 70 %; the kiosk starts at 40 %
    kiosk.wait_for_screen("now_playing")
    pressed = _press_louder(kiosk, 3)
    _hears(capture, 0.70, pressed)  # louder, up to her limit of 70 %: she hears it

    open_staff(kiosk)
    open_panel(kiosk, "Volume limit")
    seen = kiosk.touch("Edie")
    save = seen.button("Save volume limit")
    assert save is not None, seen
    _x0, _y0, x1, _top = save["rect"]
    lx0, ly0, lx1, ly1 = next(lab for lab in seen.labels if lab["text"].startswith("Loudest allowed"))[
        "rect"
    ]  # the slider sits right beside its label
    row_y = (ly0 + ly1) / 2
    slider_x0 = lx1 + 1.5 * kiosk.px_per_mm
    track = (slider_x0 + SLIDER_PAD_PX, x1 - SLIDER_PAD_PX)
    seen = touch_px(kiosk, track[0] + (track[1] - track[0]) * (30 - 10) / 90, row_y)  # about 30 %
    limit = int(re.search(r"Loudest allowed: (\d+)%", seen.text).group(1))  # type: ignore[union-attr]
    assert 20 <= limit <= 40, seen
    kiosk.touch("Save volume limit")
    changed_at = time.monotonic()
    kiosk.touch("Back to music")
    # she hears the music come down to the new limit (the store is checked about once a second): only then
    # does anyone press Louder, so the presses meet the new limit, not the old one
    first_quiet = _hears(capture, limit / 100, changed_at)
    assert first_quiet - changed_at < 1.6, first_quiet - changed_at  # the once-a-second check, and a frame
    pressed = _press_louder(kiosk, 2)
    touches = disk.wait_until(
        lambda: [e for e in disk.events(prepared_data, "volume") if e["source"] == "touch"][3:5], 3
    )  # her three presses before, these two now
    assert [e["detail"]["volume_pct"] for e in touches] == [limit] * 2, touches  # Louder stayed at the limit
    disk.wait_until(lambda: [h for h in read_capture(capture) if h.mono_s > pressed + 0.5], 5)
    heard = read_capture(capture)
    after = max(
        h.peak for h in heard if h.mono_s > first_quiet
    )  # no buffer at the old level after, nor louder
    assert abs(after - limit / 100 * TONE_PEAK) < 0.02, (after, limit, disk.events(prepared_data, "volume"))
    assert [e for e in disk.events(prepared_data, "volume") if e["source"] == "auto"]  # the kiosk lowered it
