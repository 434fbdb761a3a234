"""The dry run's pure view of a profile against the library: what each avoid entry removes, warnings with a
"did you mean", the first songs, and whether the library holds enough of the resident's youth."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.domain.models import Resident, Song
from kiosk.domain.preview import (
    YOUTH_MIN_SONGS,
    avoid_effects,
    preview_residents,
    unmatched_warning,
    youth_coverage,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def song(i: int, title: str, year: int | None, **kw: object) -> Song:
    return Song(song_id=f"s{i}", path=f"/m/{i}.mp3", title=title, year=year, **kw)  # type: ignore[arg-type]


LIBRARY = [
    song(1, "Pack Up Your Troubles", 1915, themes=("war",)),
    song(2, "Keep the Home Fires Burning", 1914, themes=("war", "home and family")),
    song(3, "It's a Long Way to Tipperary", 1912, themes=("war",)),
    song(4, "We'll Gather Lilacs", 1945, themes=("war",), artist="Ivor Novello"),
    song(5, "Abide with Me", 1861, themes=("religion",)),
    song(6, "Moon River", 1961, artist="Andy Williams"),
    song(7, "Que Sera Sera", 1956, artist="Doris Day"),
]


def mary(**kw: object) -> Resident:
    return Resident("r1", "M-1", "Margaret", 1938, preferred_name="Mary", **kw)  # type: ignore[arg-type]


def test_each_entry_says_how_many_songs_it_removes_and_names_a_few() -> None:
    r = mary(avoid_themes=("war",), avoid_artists=("doris day",), avoid_keywords=("hymns",))
    effects = avoid_effects(r, LIBRARY)
    assert [(e.field, e.entry, e.removed) for e in effects] == [
        ("avoid_themes", "war", 4),
        ("avoid_keywords", "hymns", 1),
        ("avoid_artists", "doris day", 1),
    ]
    war = effects[0]
    assert war.titles == (
        "It's a Long Way to Tipperary",
        "Keep the Home Fires Burning",
        "Pack Up Your Troubles",
    )
    assert war.sentence() == (
        "'war' (theme) removes 4 songs: It's a Long Way to Tipperary, Keep the Home Fires Burning, "
        "Pack Up Your Troubles and 1 more"
    )
    assert effects[1].by_themes == ("religion",)
    assert effects[1].sentence() == "'hymns' (word, also the theme religion) removes 1 song: Abide with Me"
    assert all(e.warning is None for e in effects)


def test_an_entry_that_removes_nothing_is_a_warning_that_says_what_was_meant() -> None:
    r = mary(
        avoid_songs=("war songs", "Andy Williams", "Danny Boy"),
        avoid_keywords=("anything about mothers", "drink"),
        avoid_themes=("lullabies",),
    )
    warnings = {e.entry: e.warning for e in avoid_effects(r, LIBRARY)}
    assert warnings == {
        "war songs": "'war songs' matches no song; did you mean the theme 'war'?",
        "Andy Williams": "'Andy Williams' matches no song; it matches as artist: move it to avoid_artists?",
        "Danny Boy": "'Danny Boy' matches no song in the library (check the spelling)",
        "anything about mothers": "'anything about mothers' matches no song; did you mean the theme "
        "'home and family'?",
        "drink": "'drink' matches no song: it stands for the theme 'drinking' too, but no song in the library "
        "is marked with it yet (themes come from era.toml, genres and folder names)",
        "lullabies": "the theme 'lullabies' matches no song: no song in the library is marked with it yet "
        "(themes come from era.toml, genres and folder names)",
    }
    assert unmatched_warning("avoid_keywords", "wartime songs") == (
        "'wartime songs' matches no song; did you mean the theme 'war'?"
    )


def test_youth_coverage_counts_playable_songs_and_suggests_their_teens_first() -> None:
    r = mary()  # born 1938: 10-30 in 1948-1968, teens 1951-1957
    few = youth_coverage(r, LIBRARY)
    assert (few.first_year, few.last_year, few.songs) == (1948, 1968, 2)
    assert few.per_decade == {"1940s": 0, "1950s": 1, "1960s": 1} and few.few
    assert few.suggest == ("1950s", "1960s")  # the 1940s give only 1948-49: not worth a shopping trip
    assert few.sentence("Mary") == (
        "Only 2 songs in the library are from Mary's youth (1948 to 1968): adding songs from the 1950s (1 now) "
        "and the 1960s (1 now) would help."
    )
    blocked = {i for i, s in enumerate(LIBRARY) if s.artist == "Doris Day"}
    assert youth_coverage(r, LIBRARY, blocked).songs == 1  # an avoided song is no help
    plenty = [song(100 + i, f"T{i}", 1950 + i % 15) for i in range(YOUTH_MIN_SONGS)]
    enough = youth_coverage(r, plenty)
    assert not enough.few and enough.sentence("Mary") is None
    none = youth_coverage(Resident("r2", "X", "Bea", 1925), [])
    assert none.sentence("Bea") == (
        "No song in the library is from Bea's youth (1935 to 1955): adding songs from the 1930s (none now), "
        "the 1940s (none now) and the 1950s (none now) would help."
    )


def test_preview_residents_puts_it_together() -> None:
    r = mary(avoid_themes=("war",), favourite_songs=("Moon River",))
    (p,) = preview_residents([r], LIBRARY, now=NOW, seed=1, first=3)
    assert p.removed_total == 4 and p.library_size == 7 and p.warnings == []
    assert p.first_songs[0].song.title == "Moon River"
    assert all("war" not in c.song.themes for c in p.first_songs)
    lines = p.lines()
    assert lines[0] == "M-1 (Mary):"
    assert "  avoid list leaves out 4 of 7 songs" in lines
    assert "    1. Moon River - Andy Williams (1961)" in lines
    assert any(line.startswith("  note: Only 2 songs in the library are from Mary's youth") for line in lines)
    again = preview_residents([r], LIBRARY, now=NOW, seed=1, first=3)[0]
    assert [c.song.song_id for c in again.first_songs] == [c.song.song_id for c in p.first_songs]
