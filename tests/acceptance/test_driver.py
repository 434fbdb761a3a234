"""The journey driver itself: it starts the real kiosk, touches by words, reads the screen, kills."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.acceptance import disk
from tests.acceptance.audio import loudest, read_capture
from tests.acceptance.kiosk_process import JourneyError, KioskConfig, KioskProcess


def test_the_driver_touches_by_words_reads_the_screen_and_kills(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Callable[..., KioskProcess]
) -> None:
    kiosk = start_kiosk(prepared_data, config=journey_config)
    assert kiosk.seen is not None and kiosk.seen.screen == "idle"
    assert kiosk.seen.shows("Touch for music")
    seen = kiosk.touch("Touch for music")
    assert seen.screen == "residents" and seen.shows("Who is listening?")
    assert seen.button("Music for everyone") is not None
    with pytest.raises(JourneyError, match="nothing on screen says"):
        kiosk.touch("No such button")
    shot = kiosk.screenshot("picker")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert kiosk.kill() == -9 and not kiosk.alive()
    with pytest.raises(JourneyError, match="not running"):
        kiosk.screen()


def test_the_kiosk_run_audio_capture_hears_the_music_within_the_start_volume(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Callable[..., KioskProcess], tmp_path: Path
) -> None:
    heard_path = tmp_path / "heard.pcm"
    kiosk = start_kiosk(prepared_data, config=journey_config, audio_capture=heard_path)
    kiosk.touch("Touch for music")
    started = time.monotonic()
    kiosk.touch("Music for everyone")
    kiosk.wait_for_screen("now_playing")
    audible = disk.wait_until(lambda: loudest(read_capture(heard_path)) > 0.05, timeout_s=10)
    assert audible, "no music in the capture within 10 s"
    kiosk.pause(2.0)  # past the 1.5 s fade-in
    heard = read_capture(heard_path)
    assert heard[0].pts_s >= started
    assert 0.05 < loudest(heard) <= 0.40 * 1.01  # music, never above the start volume of 40 %
