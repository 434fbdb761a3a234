"""Journey 6: a song with a cover.jpg beside it, and one with the picture embedded in the file, each show that
picture on now playing (solid colours: the pixels of the picture's region in the screenshot)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.acceptance import disk
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess

Start = Callable[..., KioskProcess]
REPO = Path(__file__).resolve().parents[2]
RED, GREEN = (200, 30, 30), (30, 150, 60)


def solid(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (500, 500), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture
def covered(tmp_path: Path, journey_config: KioskConfig) -> tuple[Path, KioskConfig]:
    """Two songs: "Beside" with a red cover.jpg in its folder, "Embedded" carrying a green picture."""
    from tests.audiofiles import make_audio

    music = tmp_path / "music"
    make_audio(music / "album" / "beside.mp3", seconds=30.0, title="Beside", artist="Band A", date="1950")
    (music / "album" / "cover.jpg").write_bytes(solid(RED))
    make_audio(music / "single" / "embedded.mp3", seconds=30.0, freq=550, title="Embedded", artist="Band B",
               date="1952", picture_bytes=solid(GREEN))  # fmt: skip
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    scanned = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "scan", "--music-dir", str(music)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert scanned.returncode == 0, scanned.stderr
    return data_dir, KioskConfig(music_dir=str(music), pin_hash=journey_config.pin_hash)


def picture_colour(png: Path, seen_window: tuple[int, int]) -> tuple[int, int, int]:
    """The median colour of the middle of now playing's picture (the left panel, 48 mm square at most)."""
    with Image.open(png) as shot:
        img = shot.convert("RGB")
        scale = img.width / seen_window[0]
        box = [round(v * scale) for v in (100, 100, 190, 190)]  # inside the left panel at 800x480
        pixels = sorted(img.crop(box).getdata())
    return pixels[len(pixels) // 2]  # type: ignore[return-value]


def close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 12 for x, y in zip(a, b, strict=True))


def test_now_playing_shows_the_cover_beside_the_song_and_the_embedded_one(
    covered: tuple[Path, KioskConfig], start_kiosk: Start
) -> None:
    data_dir, config = covered
    kiosk = start_kiosk(data_dir, config=config)
    kiosk.touch("Touch for music")
    kiosk.touch("Music for everyone")
    colours = {}
    for n in (1, 2):
        kiosk.wait_for_screen("now_playing")
        title = disk.wait_until(lambda n=n: disk.events(data_dir, "song_start")[n - 1 :])[0]["detail"][
            "title"
        ]
        kiosk.pause(1.0)  # the picture is read off the UI thread, then shown
        seen = kiosk.wait_for_words(title)
        colours[title] = picture_colour(kiosk.screenshot(f"cover-{title}"), seen.window)
        if n == 1:
            kiosk.touch("Another song")
            assert disk.wait_until(lambda: len(disk.events(data_dir, "song_start")) >= 2)
    assert close(colours["Beside"], RED), colours
    assert close(colours["Embedded"], GREEN), colours
    assert len(list((data_dir / ".covers").glob("*.jpg"))) == 2  # kept in the data folder, decoded once
