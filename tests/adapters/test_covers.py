"""Cover art for now playing: a picture beside the song or embedded in it, decoded once into the data folder."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.covers import COVERS_DIR, CoverCache
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.config import AudioConfig, Config
from kiosk.domain.intents import Intent, Source
from kiosk.domain.session_sources import ShuffleSource
from kiosk.wiring import build_kiosk
from tests.audiofiles import make_audio


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (900, 700), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def centre(path: str) -> tuple[int, int, int]:
    with Image.open(path) as img:
        assert max(img.size) <= 600  # shrunk for the screen
        return img.convert("RGB").getpixel((img.width // 2, img.height // 2))  # type: ignore[return-value]


def close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))


def test_a_cover_beside_the_song_then_embedded_art_then_none(tmp_path: Path, data_dir: Path) -> None:
    album = tmp_path / "music" / "album"
    song = make_audio(album / "a.mp3", title="A", picture_bytes=solid((20, 160, 40)))
    (album / "cover.jpg").write_bytes(solid((200, 30, 30)))
    plain = make_audio(tmp_path / "music" / "plain.mp3", title="Plain")
    cache = CoverCache(data_dir)
    beside = cache.cover_file(str(song), str(album / "cover.jpg"))
    assert beside and close(centre(beside), (200, 30, 30))  # the picture beside the song wins
    assert Path(beside).parent == data_dir / COVERS_DIR and oct(os.stat(beside).st_mode & 0o777) == "0o600"
    assert cache.cover_file(str(song), str(album / "cover.jpg")) == beside  # decoded once, then reused
    embedded = cache.cover_file(str(song), None)
    assert embedded and close(centre(embedded), (20, 160, 40))
    (album / "cover.jpg").write_bytes(b"not a picture at all")
    fallback = cache.cover_file(str(song), str(album / "cover.jpg"))
    assert fallback == embedded  # a damaged cover.jpg: the embedded art instead
    assert cache.cover_file(str(plain), None) is None
    assert cache.cover_file(str(tmp_path / "missing.mp3"), str(tmp_path / "missing.jpg")) is None


def test_the_cache_keeps_only_the_most_recently_shown(tmp_path: Path, data_dir: Path) -> None:
    cache = CoverCache(data_dir, max_files=3)
    shown = []
    for i in range(5):
        picture = tmp_path / f"{i}.png"
        picture.write_bytes(solid((i * 40, 0, 0), (50, 50), "PNG"))
        shown.append(cache.cover_file("", str(picture)))
    assert len(list((data_dir / COVERS_DIR).glob("*.jpg"))) == 3
    assert all(Path(p).exists() for p in shown[2:]) and not Path(shown[0]).exists()  # type: ignore[arg-type]


def test_the_engine_hands_the_screen_the_songs_cover_and_file(tmp_path: Path, data_dir: Path) -> None:
    album = tmp_path / "music" / "album"
    make_audio(album / "a.wav", seconds=3.0, title="A")
    (album / "cover.jpg").write_bytes(solid((200, 30, 30)))
    data = DataFolder(data_dir)
    scan_library(data, tmp_path / "music")
    songs = TinyCatalogue(data).songs()
    parts = build_kiosk(Config(audio=AudioConfig(output="dummy")), data_dir, song_source=ShuffleSource(songs))
    try:
        parts.engine.post(Intent.PLAY_PAUSE, Source.TOUCH)
        song = parts.engine.view().song
        assert song is not None and song.path == str(album / "a.wav")
        assert song.art_path == str(album / "cover.jpg")
    finally:
        parts.close()
