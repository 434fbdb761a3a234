"""LRC parsing and time paging (kiosk.domain.lyrics, pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.lyrics import line_index_at, load_lyrics, page_index_at, page_plain, parse_lrc


def test_parse_lrc_tags_fractions_repeats_and_offset():
    text = "[ar:Someone]\n[00:01.5]One\n[00:03.25][01:00.00]Two\nno tag\n[00:02:50]Three\n[00:99.00]bad\n"
    lines = parse_lrc(text)
    assert [(ln.at_ms, ln.text) for ln in lines] == [(1500, "One"), (2500, "Three"), (3250, "Two"),
                                                     (60000, "Two")]  # fmt: skip
    shifted = parse_lrc("[offset:+500]\n[00:02.00]x")
    assert shifted[0].at_ms == 1500
    assert parse_lrc("[00:01.00]<00:01.00>Hel<00:01.50>lo")[0].text == "Hello"


def test_line_index_at():
    lines = parse_lrc("[00:01.00]a\n[00:05.00]b\n[00:09.00]c")
    assert [line_index_at(lines, t) for t in (0, 1000, 4999, 5000, 60000)] == [-1, 0, 0, 1, 2]


def test_plain_lyrics_paged_keep_verses_together():
    pages = page_plain("a\nb\n\nc\nd\ne\nf\ng", 3)
    assert pages == (("a", "b"), ("c", "d", "e"), ("f", "g"))


def test_lrc_without_time_tags_falls_back_to_pages():
    lyr = load_lyrics("[ti:x]\nhello\nworld", is_lrc=True, lines_per_page=4)
    assert not lyr.timed and lyr.pages == (("hello", "world"),)


@given(st.integers(1, 40), st.integers(0, 10**7), st.integers(1, 10**7))
def test_page_index_in_range_and_monotonic(pages, pos, duration):
    i = page_index_at(pages, pos, duration)
    assert 0 <= i < pages
    assert page_index_at(pages, pos + 1000, duration) >= i


@given(st.text(max_size=300))
def test_parse_lrc_never_raises(text):
    lines = parse_lrc(text)
    assert all(a.at_ms <= b.at_ms for a, b in zip(lines, lines[1:], strict=False))
