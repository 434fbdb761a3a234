"""Themes: the vocabulary, where a song's themes come from, and how avoid lists use them."""

from __future__ import annotations

import pytest

from kiosk.domain.era import SidecarEntry
from kiosk.domain.library import TagInfo, build_song
from kiosk.domain.matching import song_text
from kiosk.domain.models import Resident, Song
from kiosk.domain.scoring import Columns
from kiosk.domain.sidecar import merge_folder_entries, parse_sidecar
from kiosk.domain.songfit import AvoidRules
from kiosk.domain.themes import (
    THEME_NAMES,
    THEMES,
    did_you_mean,
    infer_themes,
    parse_themes,
    theme_named,
    unknown_theme_message,
)


def test_vocabulary_is_small_documented_and_unambiguous() -> None:
    assert 6 <= len(THEMES) <= 12
    assert {"war", "religion", "bereavement", "heartbreak", "home and family", "drinking"} <= set(THEME_NAMES)
    words: dict[str, str] = {}
    for t in THEMES:
        assert t.covers and t.why, t.name  # every theme says what it covers and why staff avoid it
        assert theme_named(t.name) == t.name
        for w in t.words:
            assert theme_named(w) == t.name, w
            assert words.setdefault(w, t.name) == t.name, f"{w!r} names two themes"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("War", "war"),
        ("  WARTIME ", "war"),
        ("Hymns", "religion"),
        ("home & family", "home and family"),
        ("Home and Family", "home and family"),
        ("mothers", "home and family"),
        ("Lullaby", "lullabies"),
        ("trains", "trains and leaving"),
        ("war songs", "war"),
    ],
)
def test_theme_named_knows_everyday_words(text: str, name: str) -> None:
    assert theme_named(text) == name


@pytest.mark.parametrize("text", ["warm", "", "songs", "anything about mothers", "religon"])
def test_theme_named_is_exact(text: str) -> None:
    assert theme_named(text) is None


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("war songs", "war"),
        ("no war songs please", "war"),
        ("anything about mothers", "home and family"),
        ("religon", "religion"),
        ("Songs about the blitz", "war"),
        ("Elvis", None),
        ("warm", None),
    ],
)
def test_did_you_mean(text: str, guess: str | None) -> None:
    assert did_you_mean(text) == guess


def test_parse_themes_canonical_once_and_names_each_unknown() -> None:
    themes, problems = parse_themes(["Hymns", "war", "religion", " ", "wars", "politics", "religon"])
    assert themes == ("religion", "war")
    assert len(problems) == 2
    assert problems[0].startswith("'politics' is not a theme (themes: war, religion")
    assert "did you mean 'religion'?" in problems[1]
    assert unknown_theme_message("drinkin") == (
        "'drinkin' is not a theme (did you mean 'drinking'? themes: " + ", ".join(THEME_NAMES) + ")"
    )


def test_infer_themes_from_genre_album_folders_and_sidecars_adds_up() -> None:
    assert infer_themes(genre="Wartime song") == ("war",)
    assert infer_themes(genre="Hymn") == ("religion",)
    assert infer_themes(genre="Big band", album="Wartime Favourites") == ("war",)
    assert infer_themes(folder_names=("Songs of Praise", "Mum's CDs")) == ("religion",)
    assert infer_themes(album="Irish Drinking Songs", sidecar_themes=["bereavement"]) == (
        "bereavement",
        "drinking",
    )
    # whole words only, and titles are not read
    assert infer_themes(genre="Warm jazz", album="Swarm", folder_names=("Hymnal Jazz",)) == ()
    assert infer_themes(sidecar_themes=["not a theme"]) == ()


def test_sidecar_themes_per_folder_and_file_with_problems_named() -> None:
    text = """
themes = ["war"]

[files."a.mp3"]
themes = ["Hymns", "heartbreak"]

[files."b.mp3"]
themes = "lullaby"

[files."c.mp3"]
themes = ["wars", "politics"]

[files."d.mp3"]
themes = 3
"""
    sidecar, problems = parse_sidecar(text, "music/x/era.toml")
    assert sidecar.folder.themes == ("war",)
    assert sidecar.files["a.mp3"].themes == ("religion", "heartbreak")
    assert sidecar.files["b.mp3"].themes == ("lullabies",)
    assert sidecar.files["c.mp3"].themes == ("war",)
    assert problems == [
        "music/x/era.toml [files.\"c.mp3\"]: themes: 'politics' is not a theme (themes: "
        + ", ".join(THEME_NAMES)
        + ")",
        'music/x/era.toml [files."d.mp3"]: themes must be a list like ["war", "religion"]',
    ]


def test_folder_themes_add_up_while_other_keys_nearest_wins() -> None:
    near = SidecarEntry(year=1950, themes=("religion",), source="near")
    far = SidecarEntry(year=1940, themes=("war", "religion"), source="far")
    merged = merge_folder_entries([near, far])
    assert merged is not None and merged.year == 1950
    assert set(merged.themes) == {"war", "religion"}
    only_themes = merge_folder_entries([SidecarEntry(themes=("drinking",))])
    assert only_themes is not None and only_themes.themes == ("drinking",) and only_themes.year is None


def test_build_song_stores_themes_from_every_source() -> None:
    song = build_song(
        song_id="x",
        path="/m/Wartime Favourites/01 Tipperary.mp3",
        file_stem="01 Tipperary",
        tags=TagInfo(title="It's a Long Way to Tipperary", genre="March", album="Wartime Favourites"),
        folder_names=("Wartime Favourites",),
        file_sidecar=SidecarEntry(themes=("trains and leaving",)),
        folder_sidecar=SidecarEntry(themes=("home and family",)),
    )
    assert song.themes == ("war", "home and family", "trains and leaving")
    assert song.year is None  # a sidecar with themes only says nothing about the era
    again = Song.from_dict({**song.to_dict(), "themes": list(song.themes)})
    assert again == song and isinstance(again.themes, tuple)


def _song(i: int, title: str, themes: tuple[str, ...] = (), **kw: object) -> Song:
    return Song(song_id=f"s{i}", path=f"/m/{i}.mp3", title=title, themes=themes, **kw)  # type: ignore[arg-type]


SONGS = [
    _song(0, "It's a Long Way to Tipperary", ("war",)),
    _song(1, "Abide with Me", ("religion", "bereavement")),
    _song(2, "Danny Boy", ("bereavement", "trains and leaving")),
    _song(3, "Moon River"),
    _song(4, "The Warsaw Concerto", genre="Classical"),
    _song(5, "War Bride Blues"),  # "war" in the title: an avoid keyword matches it, a theme does not
]


def blocked_titles(rules: AvoidRules) -> set[str]:
    cat = Columns(SONGS)
    rows = rules.blocked(cat)
    one_by_one = {i for i, s in enumerate(SONGS) if rules.blocks(s, song_text(s))}
    assert rows == one_by_one  # the whole-catalogue pass and the one-song check agree
    return {SONGS[i].title for i in rows}


def test_avoid_themes_remove_exactly_their_songs() -> None:
    assert blocked_titles(AvoidRules(themes=["war"])) == {"It's a Long Way to Tipperary"}
    assert blocked_titles(AvoidRules(themes=["bereavement"])) == {"Abide with Me", "Danny Boy"}
    assert blocked_titles(AvoidRules(themes=["Hymns"])) == {"Abide with Me"}  # a theme word works too
    assert AvoidRules(themes=["war"]).why(SONGS[0]) == "avoided theme"


def test_keywords_keep_matching_text_and_also_match_themes() -> None:
    assert blocked_titles(AvoidRules(keywords=["war"])) == {"It's a Long Way to Tipperary", "War Bride Blues"}
    assert blocked_titles(AvoidRules(keywords=["hymns"])) == {"Abide with Me"}
    assert blocked_titles(AvoidRules(keywords=["classical"])) == {"The Warsaw Concerto"}  # genre, as before
    assert blocked_titles(AvoidRules(keywords=["moon"])) == {"Moon River"}


def test_an_unknown_stored_theme_is_kept_as_a_keyword_not_dropped() -> None:
    rules = AvoidRules.of([Resident("r", "R-1", "Ann", 1940, avoid_themes=("moon",))])
    assert not rules.empty and blocked_titles(rules) == {"Moon River"}
