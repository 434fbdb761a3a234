"""Forgiving text matching, and the whole-column search agreeing with the one-text check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.matching import Terms, TextColumn, norm, padded, rows_where


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
