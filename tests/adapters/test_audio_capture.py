"""KIOSK_TEST_AUDIO_CAPTURE: the real player's decoded samples land in a raw file with a timed JSON index."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kiosk.adapters.audio_capture import ENV, CaptureFile, capture_from_env
from kiosk.adapters.player import VlcPlayer
from tests.acceptance.audio import loudest, read_capture
from tests.adapters.test_player import sox


def test_no_capture_unless_asked(tmp_path: Path) -> None:
    assert capture_from_env({}) is None
    assert capture_from_env({ENV: " "}) is None
    capture = capture_from_env({ENV: str(tmp_path / "heard.pcm")})
    assert isinstance(capture, CaptureFile)
    capture.close()
    assert (tmp_path / "heard.pcm").stat().st_mode & 0o777 == 0o600


@pytest.mark.timeout(30)
def test_capture_holds_the_players_samples_with_their_times(tmp_path: Path) -> None:
    tone = sox(tmp_path / "square.wav", 2, "square")
    path = tmp_path / "heard.pcm"
    capture = CaptureFile(path)
    player = VlcPlayer("dummy", capture=capture)
    before = time.monotonic()
    try:
        player.start(0, str(tone), 0.5)
        deadline = time.monotonic() + 10
        while len(read_capture(path)) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        player.close()
        capture.close()
    heard = read_capture(path)
    assert len(heard) >= 6
    index = [json.loads(line) for line in path.with_name("heard.pcm.jsonl").read_text().splitlines()]
    offsets = [e["offset"] for e in index]
    assert offsets == sorted(offsets) and offsets[0] == 0
    assert sum(e["frames"] for e in index) * 4 == path.stat().st_size  # every byte belongs to one line
    assert all(h.slot == 0 for h in heard)
    assert all(before <= h.mono_s <= h.pts_s + 0.05 for h in heard)  # decoded before it is due
    assert 0.45 < loudest(heard) <= 0.5 * 1.01  # the level asked for, measured on the samples
