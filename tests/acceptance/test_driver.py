"""The journey driver itself: it starts the real kiosk, touches by words, reads the screen, kills."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
