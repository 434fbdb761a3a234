"""TinyCatalogue: the Catalogue port over the catalogue store (cached, follows rescans, flags songs)."""

from __future__ import annotations

import subprocess
import sys

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.catalogue_store import ID, SUSPECT, CatalogueFiles
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.domain.ports import Catalogue
from tests.audiofiles import make_audio


def _music(tmp_path):
    music = tmp_path / "music"
    make_audio(music / "1940s" / "a.mp3", freq=300, title="A")
    make_audio(music / "1940s" / "b.ogg", freq=310, title="B")
    return music


def test_implements_the_port_and_serves_songs(tmp_path, data_dir):
    data = DataFolder(data_dir)
    scan_library(data, _music(tmp_path))
    catalogue: Catalogue = TinyCatalogue(data)
    songs = catalogue.songs()
    assert sorted(s.title for s in songs) == ["A", "B"]
    assert catalogue.get(songs[0].song_id) == songs[0]
    assert catalogue.get("no-such-id") is None


def test_songs_are_cached_until_the_file_changes(tmp_path, data_dir):
    data = DataFolder(data_dir)
    music = _music(tmp_path)
    scan_library(data, music)
    catalogue = TinyCatalogue(data)
    first = catalogue.songs()
    assert catalogue.songs() is first  # no rebuild while the file is unchanged
    make_audio(music / "1950s" / "c.flac", freq=320, title="C")
    # another process rescans
    subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "scan", "--music-dir", str(music)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    again = catalogue.songs()
    assert again is not first
    assert sorted(s.title for s in again) == ["A", "B", "C"]


def test_mark_suspect_persists_and_is_seen_at_once(tmp_path, data_dir):
    data = DataFolder(data_dir)
    scan_library(data, _music(tmp_path))
    catalogue = TinyCatalogue(data)
    song = catalogue.songs()[0]
    catalogue.mark_suspect(song.song_id, "ended after 2 s of 180 s")
    assert catalogue.get(song.song_id).suspect == "ended after 2 s of 180 s"
    assert TinyCatalogue(DataFolder(data_dir)).get(song.song_id).suspect == "ended after 2 s of 180 s"
    stored = [s for entries in CatalogueFiles(data).load().values() for s, _f in entries]
    assert [s[SUSPECT] for s in stored if s[ID] == song.song_id] == ["ended after 2 s of 180 s"]
    catalogue.mark_suspect("no-such-id", "x")  # ignored, no error


def test_empty_or_missing_catalogue(data_dir):
    catalogue = TinyCatalogue(DataFolder(data_dir))
    assert catalogue.songs() == ()
    assert catalogue.scan_info() == {}


def test_damaged_file_keeps_serving_last_songs(tmp_path, data_dir):
    data = DataFolder(data_dir)
    scan_library(data, _music(tmp_path))
    catalogue = TinyCatalogue(data)
    assert len(catalogue.songs()) == 2
    for shard in (data_dir / "catalogue").glob("shard-*.json"):
        shard.write_text("{broken")
    assert len(catalogue.songs()) == 2  # repaired from the rotating copies
    assert list((data_dir / "catalogue").glob("shard-*.json.damaged-*"))


def test_scan_info_lists_problems(tmp_path, data_dir):
    music = _music(tmp_path)
    (music / "bad.mp3").write_text("text")
    data = DataFolder(data_dir)
    scan_library(data, music)
    info = TinyCatalogue(data).scan_info()
    assert info["music_dir"] == str(music.resolve())
    assert info["unreadable"][0][0] == "bad.mp3"
