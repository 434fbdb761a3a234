"""Favourites first: a named favourite opens the session (rotating), favourite artists lead their decade,
and the reasons read as sentences with the resident's preferred name."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.domain.explain import Why, explain
from kiosk.domain.favourites import FIRST_SLOTS, favourite_artists_first
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.selection import Selector, select_playlist

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def mary(**kw: Any) -> Resident:
    return Resident(resident_id="r-mary", staff_id="M-1", first_name="Margaret", birth_year=1938, **kw)


def person(rid: str, birth_year: int = 1938, **kw: Any) -> Resident:
    return Resident(resident_id=rid, staff_id=rid.upper(), first_name=rid, birth_year=birth_year, **kw)


def tunes(count: int, bands: int, first_year: int, years: int) -> list[Song]:
    """``count`` plain songs by ``bands`` bands, spread over ``years`` years from ``first_year``."""
    return [
        Song(f"s{i}", f"/m/{i}.mp3", f"Tune {i}", artist=f"Band {i % bands}", year=first_year + i % years)
        for i in range(count)
    ]


def library() -> list[Song]:
    """200 songs, most from Mary's teens (the 1950s), and three old favourites far outside them."""
    songs = tunes(200, 40, 1950, 10)
    songs += [
        Song(song_id="danny", path="/m/danny.mp3", title="Danny Boy", artist="Irish Tenors", year=1913),
        Song(song_id="galway", path="/m/galway.mp3", title="Galway Bay", artist="Bing Crowley", year=1947),
        Song(
            song_id="moon", path="/m/moon.mp3", title="Moon River", artist="Andy W", year=1961, mood="upbeat"
        ),
    ]
    return songs


def session_start(songs: list[Song], residents: list[Resident], seed: int, **kw: Any) -> list[str]:
    sel = Selector(songs, residents, kw.pop("mode", None), random.Random(seed), kw.pop("now", NOW), **kw)
    played: list[str] = []
    for _ in range(FIRST_SLOTS):
        choice = sel.next(played)
        assert choice is not None
        played.append(choice.song.song_id)
    return played


def test_a_favourite_outside_the_bump_opens_every_session() -> None:
    songs = library()
    r = mary(favourite_songs=("Danny Boy",))
    for seed in range(30):
        pl = select_playlist(songs, [r], count=20, rng=random.Random(seed), now=NOW)
        assert "danny" in [c.song.song_id for c in pl[:3]], seed
        assert "danny" in session_start(songs, [r], seed)
    # left to weights alone it would rarely be near the top: 1 song among 200 of her teens
    first = pl[0]
    assert first.song.title == "Danny Boy" and first.why[0] == Why("favourite_first", "r-mary")
    names = {"r-mary": "Peggy"}
    assert first.explain(names) == (
        "One of Peggy's favourites, played early in the session. From 1913, before Peggy was born."
    )
    assert "Peggy" not in first.reason and first.reason.startswith("One of their favourites")


def plays_of(song_id: str, at: datetime) -> dict[str, Any]:
    return {
        "song_id": song_id,
        "outcome": "completed",
        "listened_s": 180.0,
        "liked": False,
        "at": at.isoformat(),
    }


def test_favourites_rotate_across_sessions_from_the_play_history() -> None:
    songs = library()
    r = mary(favourite_songs=("Danny Boy", "Galway Bay", "Moon River"))
    history: list[dict[str, Any]] = []
    opened: list[str] = []
    for day in range(6):
        now = NOW + timedelta(days=day)
        sel = Selector(songs, [r], None, random.Random(day), now, {"r-mary": history})
        choice = sel.next(set())
        assert choice is not None
        opened.append(choice.song.song_id)
        history.append(plays_of(choice.song.song_id, now + timedelta(minutes=3)))
    # each favourite once before any repeats, then the same order again (the one heard longest ago first)
    assert set(opened[:3]) == {"danny", "galway", "moon"}
    assert opened[3:] == opened[:3]


def test_rotation_uses_only_the_injected_seed_when_there_is_no_history() -> None:
    songs = library()
    r = mary(favourite_songs=("Danny Boy", "Galway Bay", "Moon River"))
    firsts = {session_start(songs, [r], seed)[0] for seed in range(20)}
    assert firsts == {"danny", "galway", "moon"}  # no history (consent "no"): still not always the same song
    assert session_start(songs, [r], 7) == session_start(songs, [r], 7)


def test_a_favourite_avoided_by_anyone_present_never_plays() -> None:
    songs = library()
    fan = person("fan", favourite_songs=("Danny Boy",))
    other = person("other", avoid_keywords=("danny",))
    for seed in range(20):
        pl = select_playlist(songs, [fan, other], count=50, rng=random.Random(seed), now=NOW)
        assert "danny" not in [c.song.song_id for c in pl]
        assert "danny" not in session_start(songs, [fan, other], seed)
    themed = [
        s if s.song_id != "danny" else Song(**{**s.to_dict(), "themes": ("bereavement",)}) for s in songs
    ]
    grieving = person("grieving", avoid_themes=("bereavement",))
    assert "danny" not in session_start(themed, [fan, grieving], 1)


def test_a_favourite_against_the_mode_does_not_open_a_relax_session() -> None:
    songs = [Song(**{**s.to_dict(), "mood": s.mood or "calm"}) for s in library()]
    r = mary(favourite_songs=("Moon River",))  # marked upbeat
    assert "moon" not in session_start(songs, [r], 3, mode=Mode.RELAX)
    assert session_start(songs, [r], 3, mode=Mode.LISTEN)[0] == "moon"


def test_each_listener_of_a_group_gets_a_favourite_in_the_first_three() -> None:
    songs = library()
    group = [
        person("a", favourite_songs=("Danny Boy",)),
        person("b", favourite_songs=("Galway Bay",)),
        person("c", favourite_songs=("Moon River", "Danny Boy")),
        person("d"),
    ]
    for seed in range(10):
        first = session_start(songs, group, seed)
        assert set(first) == {"danny", "galway", "moon"}, seed
        pl = select_playlist(songs, group, count=10, rng=random.Random(seed), now=NOW)
        assert {c.song.song_id for c in pl[:3]} == {"danny", "galway", "moon"}
        assert len({c.song.song_id for c in pl}) == 10


def test_past_the_start_of_a_session_no_favourite_is_forced() -> None:
    songs = library()
    r = mary(favourite_songs=("Danny Boy",))
    hits = 0
    for seed in range(30):
        sel = Selector(songs, [r], None, random.Random(seed), NOW)
        choice = sel.next({"s1", "s2", "s3"})  # a mode change after three songs rebuilds the selector
        assert choice is not None
        hits += choice.song.song_id == "danny"
    assert hits < 10


def test_a_missing_favourite_changes_nothing() -> None:
    songs = library()
    plain = select_playlist(songs, [mary()], count=10, rng=random.Random(4), now=NOW)
    missing = select_playlist(
        songs, [mary(favourite_songs=("Not In The Library",))], count=10, rng=random.Random(4), now=NOW
    )
    assert [c.song.song_id for c in plain] == [c.song.song_id for c in missing]


def test_a_favourite_artists_songs_come_before_others_of_their_decade() -> None:
    songs = tunes(120, 30, 1945, 20)
    songs += [
        Song(song_id=f"v{k}", path=f"/m/v{k}.mp3", title=f"Vera {k}", artist="Vera Lane", year=year)
        for k, year in enumerate((1952, 1957, 1963))
    ]
    r = mary(favourite_artists=("vera lane",))
    for seed in range(25):
        pl = select_playlist(songs, [r], count=40, rng=random.Random(seed), now=NOW)
        for decade in ("1950s", "1960s"):
            in_decade = [c.song.artist == "Vera Lane" for c in pl if c.song.decade == decade]
            assert in_decade[: sum(in_decade)] == [True] * sum(in_decade), (seed, decade)
        sel = Selector(songs, [r], None, random.Random(seed), NOW)
        played: list[str] = []
        seen: dict[str, list[bool]] = {}
        while len(played) < 40 and (c := sel.next(played)) is not None:
            played.append(c.song.song_id)
            seen.setdefault(str(c.song.decade), []).append(c.song.artist == "Vera Lane")
        for decade, flags in seen.items():
            assert flags[: sum(flags)] == [True] * sum(flags), (seed, decade)
    reason = next(c for c in pl if c.song.artist == "Vera Lane").explain({"r-mary": "Peggy"})
    assert reason.startswith("Vera Lane is one of Peggy's favourite artists. From 19")


def test_favourite_artists_first_keeps_each_decades_places() -> None:
    # best first; song 2 (1950s) is by a favourite artist, as is song 9, which is not among the best yet
    order = [(2, -0.5, 3, 1.0), (2, -1.0, 0, 1.0), (2, -2.0, 1, 1.0), (2, -3.0, 2, 1.0)]
    decades = [195, 196, 195, 196, 0, 0, 0, 0, 0, 195]
    favs = [(2, -3.0, 2, 1.0), (2, -9.0, 9, 1.0)]
    out = favourite_artists_first(order, favs, decades)
    assert [k[1] for k in out] == [-0.5, -1.0, -2.0, -3.0]  # same keys in the same places
    assert [k[2] for k in out] == [3, 2, 1, 9]
    # the 1950s slots (keys -1.0 and -3.0) now hold the favourite artist's songs, best first; song 0 (1950s)
    # is pushed out; the 1960s (songs 3 and 1) are untouched
    assert favourite_artists_first(order, [], decades) == order


def test_explanations_are_plain_sentences_with_the_preferred_name() -> None:
    whys = [
        Why("favourite_song", "r1"),
        Why("favourite_genre", "r1", text="Swing"),
        Why("youth", "r1", year=1954, age=16),
        Why("enjoyed", "r1"),
        Why("group", count=2, total=3),
        Why("outside_mode", text="calm"),
    ]
    assert explain(whys, {"r1": "Mary"}) == (
        "One of Mary's favourites. Swing is one of Mary's favourite kinds of music. From 1954, when Mary was 16. "
        "Mary enjoyed it before. Suits 2 of the 3 listeners. Not marked calm: there are too few calm songs."
    )
    assert explain(whys[:3]) == (
        "One of their favourites. Swing is one of their favourite kinds of music. From 1954, when they were 16."
    )
    assert "weight" not in explain(whys, {"r1": "Mary"})
