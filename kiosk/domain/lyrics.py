"""Lyrics for sing-along: LRC parsing (timed lines) and time-paged plain text.

Pure and forgiving: a malformed LRC line is skipped, never an error (a home's lyric files come from anywhere).
Times are milliseconds from the start of the song.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME_TAG = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_OFFSET_TAG = re.compile(r"^\s*\[offset:\s*([+-]?\d+)\s*\]\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LyricLine:
    at_ms: int
    text: str


@dataclass(frozen=True)
class Lyrics:
    """Lyrics as shown: ``timed`` lines (from LRC) or ``pages`` of plain lines (paged by time)."""

    timed: tuple[LyricLine, ...] = ()
    pages: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.timed and not self.pages


def _fraction_ms(digits: str | None) -> int:
    if not digits:
        return 0
    return int(digits.ljust(3, "0")[:3])


def parse_lrc(text: str) -> tuple[LyricLine, ...]:
    """Timed lines of an LRC file, sorted by time; ``[offset:ms]`` applied (positive = lyrics earlier)."""
    offset_ms = 0
    lines: list[LyricLine] = []
    for raw in text.splitlines():
        m_off = _OFFSET_TAG.match(raw)
        if m_off:
            offset_ms = int(m_off.group(1))
            continue
        stamps: list[int] = []
        pos = 0
        while True:
            m = _TIME_TAG.match(raw, pos)
            if not m:
                break
            minutes, seconds = int(m.group(1)), int(m.group(2))
            if seconds < 60:
                stamps.append((minutes * 60 + seconds) * 1000 + _fraction_ms(m.group(3)))
            pos = m.end()
        if not stamps:
            continue  # metadata ([ar:], [ti:]) or a stray line
        words = raw[pos:].strip()
        words = re.sub(r"<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>", "", words).strip()  # enhanced LRC word stamps
        for at in stamps:
            lines.append(LyricLine(max(0, at - offset_ms), words))
    lines.sort(key=lambda line: line.at_ms)
    return tuple(lines)


def line_index_at(lines: tuple[LyricLine, ...], position_ms: int) -> int:
    """Index of the line being sung at ``position_ms``; -1 before the first line."""
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid].at_ms <= position_ms:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def page_plain(text: str, lines_per_page: int) -> tuple[tuple[str, ...], ...]:
    """Plain lyrics cut into pages of at most ``lines_per_page`` lines; a blank line (verse break) starts a
    new page when the current one is at least half full, so verses stay together where they can."""
    lines_per_page = max(1, lines_per_page)
    pages: list[tuple[str, ...]] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if current and len(current) * 2 >= lines_per_page:
                pages.append(tuple(current))
                current = []
            continue
        current.append(line)
        if len(current) == lines_per_page:
            pages.append(tuple(current))
            current = []
    if current:
        pages.append(tuple(current))
    return tuple(pages)


def page_index_at(page_count: int, position_ms: int, duration_ms: int) -> int:
    """Which page to show: the song's length shared evenly between the pages."""
    if page_count <= 1 or duration_ms <= 0:
        return 0
    index = position_ms * page_count // duration_ms
    return min(max(index, 0), page_count - 1)


def load_lyrics(text: str, *, is_lrc: bool, lines_per_page: int = 4) -> Lyrics:
    """LRC text becomes timed lines (falling back to pages when it has no time tags); plain text, pages."""
    if is_lrc:
        timed = parse_lrc(text)
        if timed:
            return Lyrics(timed=timed)
        text = "\n".join(re.sub(r"^\s*\[[^\]]*\]", "", raw) for raw in text.splitlines())
    return Lyrics(pages=page_plain(text, lines_per_page))
