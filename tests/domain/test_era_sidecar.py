"""era.toml sidecars: parsing, per-file entries, clear messages, nearest folder wins; building a Song."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.era import SidecarEntry, year_from_name
from kiosk.domain.library import TagInfo, build_song, title_from_file_name
from kiosk.domain.sidecar import merge_folder_entries, parse_sidecar


def test_folder_and_per_file_entries():
    sidecar, problems = parse_sidecar(
        'year = 1964\nmood = "calm"\nlanguage = "English"\n\n[files."Moon River.mp3"]\nyear = 1961\nmood = "upbeat"\n',
        "Sixties/era.toml",
    )
    assert problems == []
    assert (sidecar.folder.year, sidecar.folder.mood, sidecar.folder.language) == (1964, "calm", "en")
    entry = sidecar.files["Moon River.mp3"]
    assert (entry.year, entry.mood) == (1961, "upbeat")
    assert "Moon River.mp3" in entry.source


def test_decade_and_messy_year_accepted():
    sidecar, problems = parse_sidecar('decade = "1950s"\n[files."a.ogg"]\nyear = "c. 1947"\n', "era.toml")
    assert problems == []
    assert sidecar.folder.year == 1950
    assert sidecar.files["a.ogg"].year == 1947


def test_bad_values_give_one_message_each_and_keep_the_rest():
    sidecar, problems = parse_sidecar(
        'year = "soon"\nmood = "sad"\ncolour = 3\nlanguage = "en"\n', "x/era.toml"
    )
    assert sidecar.folder.language == "en"
    assert sidecar.folder.year is None
    assert len(problems) == 3
    assert all(p.startswith("x/era.toml") for p in problems)
    assert any("mood" in p for p in problems) and any("colour" in p for p in problems)


def test_invalid_toml_names_file_and_line():
    sidecar, problems = parse_sidecar("year = 1964\nmood = calm\n", "Fifties/era.toml")
    assert sidecar.folder.year is None
    assert len(problems) == 1 and problems[0].startswith("Fifties/era.toml:2:")


def test_nearest_folder_entry_wins_key_by_key():
    near = SidecarEntry(mood="calm", source="a/b/era.toml")
    far = SidecarEntry(year=1950, mood="upbeat", language="en", source="a/era.toml")
    merged = merge_folder_entries([near, far])
    assert merged is not None
    assert (merged.year, merged.mood, merged.language, merged.source) == (1950, "calm", "en", "a/era.toml")
    assert merge_folder_entries([]) is None


def test_title_from_file_name():
    assert title_from_file_name("03 - Moon River") == "Moon River"
    assert title_from_file_name("A2 Blue_Moon") == "Blue Moon"
    assert title_from_file_name("1999") == "1999"


def test_build_song_uses_sidecar_mood_language_and_lrc():
    tags = TagInfo(
        title="", genre="Rock", language="ger", recording_dates=(("TDRC", "1970"),), duration_s=181.26
    )
    song = build_song(
        song_id="abc",
        path="/m/Song.mp3",
        file_stem="07 - Song",
        tags=tags,
        folder_sidecar=SidecarEntry(mood="calm", language="en"),
        lyrics_path="/m/Song.lrc",
    )
    assert song.title == "Song"
    assert (song.year, song.era_source, song.decade) == (1970, "tag:TDRC", "1970s")
    assert (song.mood, song.language, song.has_lyrics) == ("calm", "en", True)
    assert song.duration_s == 181.26


@given(st.text(max_size=200))
def test_any_text_parses_without_raising(text):
    sidecar, problems = parse_sidecar(text, "era.toml")
    assert isinstance(problems, list)
    assert sidecar.folder.year is None or 1800 <= sidecar.folder.year <= 2099


@given(st.text(max_size=60))
def test_any_folder_name_is_safe(name):
    year = year_from_name(name)
    assert year is None or 1800 <= year <= 2099
