"""Journey 8: what the screen says after a touch is true. Louder at the resident's limit says "That is as loud
as it goes" (and the sound stays at the limit); pausing shows Play on the button at once and "Paused" as large
as a song title."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.acceptance import disk
from tests.acceptance.audio import loudest, read_capture
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess
from tests.acceptance.pixels import ink_height_px

Start = Callable[..., KioskProcess]
TAP_GAP_S = 0.5  # a person's touches on the same button, further apart than the 400 ms tremor filter


def start_edies_music(kiosk: KioskProcess) -> None:
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")  # her volume limit is 70 %; the kiosk starts at 40 %
    kiosk.wait_for_screen("now_playing")


def test_louder_at_the_limit_says_that_is_as_loud_as_it_goes(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    heard_path = tmp_path / "heard.pcm"
    kiosk = start_kiosk(prepared_data, config=journey_config, audio_capture=heard_path)
    start_edies_music(kiosk)
    said = []
    for _ in range(5):
        kiosk.pause(TAP_GAP_S)
        seen = kiosk.touch("Louder")
        said.append("as loud as it goes" if seen.shows("That is as loud as it goes") else "louder")
    assert said == ["louder", "louder", "louder", "as loud as it goes", "as loud as it goes"]
    at_limit = seen.mono_s
    kiosk.screenshot("at-the-limit")
    volumes = [e["detail"]["volume_pct"] for e in disk.events(prepared_data, "volume")]
    assert volumes == [50, 60, 70, 70, 70]  # every touch journaled; never past her 70 %
    kiosk.pause(2.0)
    heard = read_capture(heard_path)
    assert 0.05 < loudest(heard, after_s=at_limit) <= 0.70 * 1.01  # music, and never past her limit


def test_pausing_shows_play_at_once_and_paused_as_large_as_a_title(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    start_edies_music(kiosk)
    playing = kiosk.screen()
    assert playing.button("Pause") is not None and not playing.shows("Paused")
    seen = kiosk.touch("Pause")  # what shows two frames after the finger lands
    assert seen.button("Play") is not None and seen.button("Pause") is None, seen
    assert seen.button("Play")["selected"]  # lit: the way back to music
    assert seen.shows("Paused")
    shot = kiosk.screenshot("paused")
    ink_mm = ink_height_px(shot, seen.label("Paused")["rect"]) / kiosk.px_per_mm
    assert ink_mm >= 6.0, f"'Paused' is {ink_mm:.1f} mm tall"  # a song title's size (DEMENTIA_UX: >= 6 mm)
    seen = kiosk.stays(4.5, screen="now_playing")  # and it stays, after the touch's own word would have gone
    assert seen.shows("Paused") and seen.button("Play") is not None
    shot = kiosk.screenshot("still-paused")
    assert ink_height_px(shot, seen.label("Paused")["rect"]) / kiosk.px_per_mm >= 6.0
    seen = kiosk.touch("Play")
    assert seen.button("Pause") is not None and not seen.shows("Paused")
