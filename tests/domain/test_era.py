"""Era rules: messy dates, folder names, the order of evidence, reissues, mode tags (pure domain)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.era import (
    EraEvidence,
    SidecarEntry,
    decide_era,
    looks_like_reissue,
    mood_of,
    normalise_language,
    parse_bpm,
    parse_track_no,
    parse_year,
    year_from_name,
)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("1965", 1965),
        ("1965-03-01", 1965),
        ("1965-00-00", 1965),
        ("19650301", 1965),
        ("1965/1966", 1965),
        ("1966/1965", 1965),
        ("'65", 1965),
        ("\u201965", 1965),
        ("'05", 2005),
        ("c. 1960", 1960),
        ("circa 1958?", 1958),
        ("ca 1931", 1931),
        ("1960s", 1960),
        ("12/03/1965", 1965),
        ("2005-01-01T00:00:00Z", 2005),
        ("Recorded March 1964, London", 1964),
        ("0000", None),
        ("0000-00-00", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("unknown", None),
        ("65", None),  # a bare two-digit number is not a year
        ("3000", None),
    ],
)
def test_parse_year_messy_forms(text, year):
    assert parse_year(text) == year


@given(st.text(max_size=40))
def test_parse_year_never_raises(text):
    year = parse_year(text)
    assert year is None or 1800 <= year <= 2099


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("1950s", 1950),
        ("1950's", 1950),
        ("50s", 1950),
        ("The '50s", 1950),
        ("Fifties", 1950),
        ("sixties gold", 1960),
        ("1964 - Beatles for Sale", 1964),
        ("Hits of the 60s", 1960),
        ("Disc 2", None),
        ("Top 40", None),
        ("Music", None),
        ("", None),
    ],
)
def test_year_from_folder_or_album_name(name, year):
    assert year_from_name(name) == year


def test_original_date_tag_beats_recording_date():
    era = decide_era(EraEvidence(original_dates=[("TDOR", "1964")], recording_dates=[("TDRC", "2005")]))
    assert (era.year, era.source) == (1964, "tag:TDOR")


def test_earliest_original_date_wins():
    era = decide_era(EraEvidence(original_dates=[("TDOR", "1966-02-01"), ("TXXX:ORIGINALYEAR", "1964")]))
    assert (era.year, era.source) == (1964, "tag:TXXX:ORIGINALYEAR")


def test_per_file_sidecar_beats_everything():
    era = decide_era(
        EraEvidence(
            original_dates=[("TDOR", "1970")],
            recording_dates=[("TDRC", "2005")],
            file_sidecar=SidecarEntry(year=1958, source='era.toml [files."a.mp3"]'),
            folder_sidecar=SidecarEntry(year=1940),
            folder_names=("1990s",),
        )
    )
    assert (era.year, era.source) == (1958, "sidecar:file")


def test_original_tag_beats_folder_sidecar():
    era = decide_era(
        EraEvidence(original_dates=[("ORIGINALDATE", "1962")], folder_sidecar=SidecarEntry(year=1950))
    )
    assert (era.year, era.source) == (1962, "tag:ORIGINALDATE")


def test_folder_sidecar_beats_recording_date_and_folder_name():
    era = decide_era(
        EraEvidence(
            recording_dates=[("DATE", "1998")],
            folder_sidecar=SidecarEntry(year=1912, source="Wartime/era.toml"),
            folder_names=("1990s",),
        )
    )
    assert (era.year, era.source, era.note) == (1912, "sidecar", "Wartime/era.toml")


def test_recording_date_when_no_reissue_is_suspected():
    era = decide_era(
        EraEvidence(recording_dates=[("TDRC", "1965-03-01")], album="Rubber Soul", folder_names=("Beatles",))
    )
    assert (era.year, era.source) == (1965, "tag:TDRC")


@pytest.mark.parametrize(
    ("album", "album_artist", "compilation", "why"),
    [
        ("Hits of the 60s", "", False, "album name"),
        ("The Very Best of Dusty", "", False, "album name"),
        ("Rubber Soul (Remastered)", "", False, "album name"),
        ("Sixties Gold", "Various Artists", False, "various artists"),
        ("Summer", "", True, "compilation flag"),
    ],
)
def test_reissue_suspected(album, album_artist, compilation, why):
    assert looks_like_reissue(album, album_artist, compilation) == why


def test_compilation_holding_a_1964_song_is_a_1960s_song():
    """The issue's example: a 2005 compilation "Hits of the 60s" holding a 1964 song."""
    with_original = decide_era(
        EraEvidence(
            original_dates=[("TDOR", "1964")], recording_dates=[("TDRC", "2005")], album="Hits of the 60s"
        )
    )
    assert (with_original.year, with_original.source) == (1964, "tag:TDOR")
    without = decide_era(
        EraEvidence(recording_dates=[("TDRC", "2005")], album="Hits of the 60s", compilation=True)
    )
    assert (without.year, without.source) == (1960, "album")
    assert "2005 ignored" in without.note


def test_reissue_date_ignored_then_folder_name_used():
    era = decide_era(
        EraEvidence(
            recording_dates=[("DATE", "2011")],
            album_artist="Various Artists",
            folder_names=("Fifties", "Music"),
        )
    )
    assert (era.year, era.source) == (1950, "folder")
    assert "2011 ignored (various artists)" in era.note


def test_folder_decade_earlier_than_date_tag_means_reissue():
    era = decide_era(EraEvidence(recording_dates=[("TDRC", "1998")], folder_names=("1950s",)))
    assert (era.year, era.source) == (1950, "folder")
    assert "folder says 1950s" in era.note


def test_nearest_folder_name_wins():
    era = decide_era(EraEvidence(folder_names=("1964 - Beatles for Sale", "1950s")))
    assert (era.year, era.source) == (1964, "folder")


def test_reissue_with_nothing_else_is_unknown_not_the_reissue_year():
    era = decide_era(EraEvidence(recording_dates=[("TDRC", "2004")], compilation=True, album="Summer"))
    assert (era.year, era.source) == (None, "unknown")
    assert "2004 ignored" in era.note


def test_no_evidence_is_unknown():
    assert decide_era(EraEvidence()).source == "unknown"
    assert decide_era(EraEvidence(recording_dates=[("TDRC", "0000")])).year is None


@pytest.mark.parametrize(
    ("bpm", "sidecar", "genre", "expected"),
    [
        (None, "calm", "Rock", ("calm", "sidecar")),
        (140.0, "calm", "", ("calm", "sidecar")),
        (140.0, None, "Ballad", ("upbeat", "bpm")),
        (80.0, None, "Disco", ("calm", "bpm")),
        (100.0, None, "Swing", ("upbeat", "genre")),
        (None, None, "Easy Listening", ("calm", "genre")),
        (None, None, "Rock & Roll", ("upbeat", "genre")),
        (None, None, "Folk rock", (None, "unknown")),  # both hints: no guess
        (None, None, "", (None, "unknown")),
        (100.0, None, "", (None, "unknown")),
    ],
)
def test_mood_rules(bpm, sidecar, genre, expected):
    assert mood_of(bpm, sidecar, genre) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("eng", "en"),
        ("English", "en"),
        ("en-GB", "en"),
        ("ger", "de"),
        ("cym", "cy"),
        ("zxx", ""),
        ("", ""),
        ("xyz", "xyz"),
    ],
)
def test_language_normalised(raw, code):
    assert normalise_language(raw) == code


def test_bpm_and_track_number_parsing():
    assert parse_bpm("120") == 120.0
    assert parse_bpm("96,5 BPM") == 96.5
    assert parse_bpm("0") is None
    assert parse_bpm("fast") is None
    assert parse_track_no("3/12") == 3
    assert parse_track_no("03") == 3
    assert parse_track_no("A") is None
