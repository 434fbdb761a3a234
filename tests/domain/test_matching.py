"""Forgiving text matching, and the whole-column search agreeing with the one-text check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.matching import (
    CatalogueText,
    Terms,
    TextColumn,
    norm,
    norm_many,
    padded,
    rows_where,
    song_text,
)
from kiosk.domain.models import Song


def test_norm_folds_case_accents_punctuation() -> None:
    assert norm("  Édith   PIAF! ") == "edith piaf"
    assert norm("Don't Fence Me In") == "dont fence me in"
    assert norm("Rock-a-Bye (Baby)") == "rock a bye baby"


def test_terms_match_whole_words_in_order() -> None:
    war = Terms(["War"])
    assert war.found_in(padded("After the War"))
    assert not war.found_in(padded("Warm Nights"))
    assert not war.found_in(padded("Edward"))
    assert Terms(["glen mill"]).found_in(padded("Glen Mill and His Orchestra"))
    assert not Terms(["mill glen"]).found_in(padded("Glen Mill"))
    assert not Terms(["", "  "]).active


WORDS = st.sampled_from(["war", "home", "moon", "dover", "warm", "a", "b", "white cliffs"])


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.lists(WORDS, max_size=5).map(" ".join), max_size=30), terms=st.lists(WORDS, max_size=3)
)
def test_column_search_agrees_with_each_text(texts: list[str], terms: list[str]) -> None:
    t = Terms(terms)
    column = [padded(x) for x in texts]
    expected = {i for i, x in enumerate(column) if t.found_in(x)}
    assert TextColumn(column).rows_with(t) == expected
    assert set(rows_where(column, {c for c in column if t.found_in(c)})) == expected


# norm_many folds ASCII texts in bulk: it must agree with norm on every character class that norm treats
# specially (whitespace beyond the space, apostrophes, punctuation, accents, case folding that changes length)
TRICKY = st.sampled_from(
    list("aZ09 '`-/.,!&()[]\\\t\n\x0b\x0c\r\x1c\x1f\x00\x7f")
    + ["É", "ß", "ﬁ", "’", "“", "—", "\u00a0", "\u2003", "K", "İ", "Ω", "́", "ç", "日"]
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.lists(TRICKY, max_size=12).map("".join), max_size=12))
def test_norm_many_agrees_with_norm(texts: list[str]) -> None:
    assert norm_many(texts) == [norm(t) for t in texts]


def test_catalogue_text_agrees_with_song_text() -> None:
    songs = [
        Song(song_id=f"s{i}", path=path, title=title, artist=artist, album="Best of — Vol. 1", genre=genre)
        for i, (path, title, artist, genre) in enumerate(
            [
                ("/music/Édith Piaf/01 - La Vie en rose.mp3", "La Vie en rose", "Édith Piaf", "Chanson"),
                ("/music/Vera Lynn/We'll Meet Again.mp3", "We'll Meet Again", "Vera Lynn", "Swing"),
                ("song.mp3", "  ", "", ""),
                ("/music/Various/Don't Fence Me In.mp3", "Don't Fence Me In", "Bing Crosby", "Swing"),
                ("/Edith Piaf/Non, je ne regrette rien.flac", "Non, je ne regrette rien", "Édith Piaf", ""),
            ]
        )
    ]
    columns = CatalogueText(songs)
    everything = columns.everything()
    starts = [0, *everything.ends[:-1]]
    for i, song in enumerate(songs):
        text = song_text(song)
        assert (columns.titles[i], columns.artists[i], columns.genres[i]) == (
            text.title,
            text.artists,
            text.genre,
        )
        assert everything.blob[starts[i] : everything.ends[i]] == text.everything
    assert columns.artists[0] == " edith piaf " + "  "  # padded artist, then the padded (empty) album artist
    assert everything.rows_with(Terms(["piaf"])) == {0, 4}
    assert CatalogueText([]).everything().rows_with(Terms(["piaf"])) == set()
