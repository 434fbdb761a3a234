"""The demo library generator: what it promises (count, decades, formats, tags, lyrics, era cases)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date

import mutagen
import pytest

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.library_scan import scan_library
from kiosk.adapters.residents import ResidentsStore
from kiosk.cli import main
from kiosk.demo.generate import default_songs_file, generate_demo, load_songs
from kiosk.errors import UserError
from kiosk.wiring import prepare_demo

# one song per era case and per format, kept short
SUBSET = [
    "daisy-bell",
    "oh-susanna",
    "carolina-in-the-morning",
    "tipperary",
    "keep-the-home-fires-burning",
    "sock-hop-stroll",
    "auld-lang-syne",
    "let-me-call-you-sweetheart",
    "disco-sunshine",
]


def test_song_list_is_licence_clean_and_labelled():
    _, songs = load_songs(default_songs_file())
    assert len(songs) >= 24
    for song in songs:
        invented = "seed" in song
        if invented:
            assert "(demo)" in song["title"], song["title"]
            assert song["year"] >= 1930
        else:
            # public domain everywhere: published before 1930, or traditional (no year)
            assert song.get("year") is None or song["year"] < 1930, song["title"]
            assert song.get("writers"), song["title"]
            # every writer dead more than 70 years (EU/UK term runs to the end of the 70th year)
            assert song["died"] and all(y + 70 < date.today().year for y in song["died"]), song["title"]
        if song.get("lrc") or song.get("embedded_lyrics"):
            assert not invented and (song.get("year") or 0) < 1930


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo"), only=SUBSET, min_duration_s=3.0)


def test_subset_generates_tagged_files_and_scans_as_promised(subset, data_dir):
    report = subset
    music = report.music_dir
    assert len(report.tracks) == len(SUBSET)
    assert {t.format for t in report.tracks} == {"mp3", "ogg", "flac"}
    for track in report.tracks:
        audio = mutagen.File(music / track.rel_path)
        assert audio is not None and audio.info.length >= 3.0
        assert track.title in str(audio.tags)
    assert (music / "Wartime Favourites (1998 reissue)" / "era.toml").exists()
    lrc = (music / "Traditional" / "Auld Lang Syne.lrc").read_text()
    assert "[00:" in lrc and "auld lang syne" in lrc
    scan = scan_library(DataFolder(data_dir), music)
    assert scan.songs == len(SUBSET) and scan.unreadable == [] and scan.sidecar_problems == []
    songs = {s.title: s for s in TinyCatalogue(DataFolder(data_dir)).songs()}
    for track in report.tracks:
        song = songs[track.title]
        assert song.year == (track.year // 10 * 10 if track.expected_source == "folder" else track.year)
        assert song.era_source == track.expected_source, track.title
        assert song.mood == track.mood, track.title
        assert song.has_lyrics == bool(track.lyrics), track.title
    assert (
        songs["Daisy Bell (Bicycle Built for Two)"].era_source == "tag:TDOR"
    )  # ID3 v2.3 TORY, a 2004 reissue
    assert songs["Sock Hop Stroll (demo)"].era_source == "folder"
    assert songs["Auld Lang Syne"].year is None
    # the same input again: nothing to do
    assert generate_demo(report.dest, only=SUBSET, min_duration_s=3.0).skipped


def test_libvlc_plays_the_demo_files(subset):
    """The player's own library reads every generated file, with the length the catalogue will hold."""
    vlc = pytest.importorskip("vlc")
    instance = vlc.Instance("--aout=dummy", "--no-video", "--quiet")
    assert instance is not None
    for track in subset.tracks:
        media = instance.media_new(str(subset.music_dir / track.rel_path))
        parsed = threading.Event()  # set from libvlc's thread; no libvlc call inside the callback
        media.event_manager().event_attach(
            vlc.EventType.MediaParsedChanged, lambda _e, done=parsed: done.set()
        )
        media.parse_with_options(vlc.MediaParseFlag.local, 10_000)
        assert parsed.wait(15), track.rel_path
        assert media.get_parsed_status() == vlc.MediaParsedStatus.done, track.rel_path
        assert abs(media.get_duration() / 1000 - track.duration_s) < 0.5, track.rel_path
        assert media.get_meta(vlc.Meta.Title) == track.title


def test_generation_is_deterministic(tmp_path):
    one = generate_demo(tmp_path / "a", only=["oh-susanna", "danny-boy"], min_duration_s=2.0)
    two = generate_demo(tmp_path / "b", only=["oh-susanna", "danny-boy"], min_duration_s=2.0)
    for track in one.tracks:
        assert (one.music_dir / track.rel_path).read_bytes() == (two.music_dir / track.rel_path).read_bytes()


def test_bad_song_list_gives_every_problem(tmp_path):
    bad = tmp_path / "songs.toml"
    bad.write_text(
        '[[song]]\nid = "x"\ntitle = "X"\nformat = "wma"\nplace = "decade"\ntempo = 100\nmeter = 4\n'
        'chords = "C H7"\nmelody = "C4:1 Q9:1"\n'
    )
    with pytest.raises(UserError) as err:
        load_songs(bad)
    text = "\n".join(err.value.problems)
    assert "format must be one of" in text and "year missing" in text and "not a note" in text
    assert all(p.startswith(f"{bad}: song 1 (x)") for p in err.value.problems)


@pytest.mark.slow
def test_full_demo_library(tmp_path, data_dir, capsys):
    """The real generator: >= 24 tracks, >= 6 decades from the 1920s to the 1980s, three formats, >= 20 s each."""
    assert main(["--data-dir", str(data_dir), "demo-content"]) == 0  # default DEST: DATA_DIR/demo
    assert "Next: kiosk scan" in capsys.readouterr().out
    assert (data_dir / "demo" / "residents" / "residents.csv").is_file()
    stamp = json.loads((data_dir / "demo" / "music" / ".encore-demo.json").read_text())
    tracks = stamp["tracks"]
    assert len(tracks) >= 24
    assert all(t["duration_s"] >= 20.0 for t in tracks)
    assert Counter(t["format"] for t in tracks).keys() == {"mp3", "ogg", "flac"}
    report = scan_library(DataFolder(data_dir), data_dir / "demo" / "music")
    assert report.songs == len(tracks) and report.unreadable == []
    decades_1920_1980 = {d for d in report.per_decade if "1920s" <= d <= "1980s"}
    assert len(decades_1920_1980) >= 6
    songs = TinyCatalogue(DataFolder(data_dir)).songs()
    assert all(s.duration_s >= 20.0 for s in songs)
    assert {s.mood for s in songs} == {"calm", "upbeat"}
    assert sum(s.has_lyrics for s in songs) >= 4
    sources = Counter(s.era_source.split(":")[0] for s in songs)
    assert {"tag", "sidecar", "folder", "unknown"} <= sources.keys()

    # `kiosk run --demo` prepares the same folder: music already made, catalogue there, residents imported once
    said: list[str] = []
    assert prepare_demo(data_dir, say=said.append) == data_dir / "demo" / "music"
    assert [line for line in said if "music" in line.lower() and "made" in line] == []
    assert len(ResidentsStore(DataFolder(data_dir)).all()) >= 6
    prepare_demo(data_dir, say=said.append)
    assert sum("residents imported" in line for line in said) == 1
