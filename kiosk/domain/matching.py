"""Text matching for favourites and avoid lists: forgiving about case, accents and punctuation.

``"Édith Piaf"`` matches ``"edith piaf"``; ``"Don't Fence Me In"`` matches ``"dont fence me in"``. A term
matches when its words appear together, in order, inside the text (``"Glenn Miller"`` matches
``"Glenn Miller and His Orchestra"``; ``"war"`` does not match ``"Warm"``). For avoid lists this errs on the
side of leaving a song out, which is the safe side.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress
from typing import NamedTuple, cast

from kiosk.domain.models import Song

_DROP = "'’‘`´"
_PUNCT = str.maketrans(
    {
        **{c: " " for c in '!"#$%&()*+,-./:;<=>?@[\\]^_{|}~“”–—…«»¿¡·'},
        **{c: "" for c in _DROP},
    }
)
_CACHE: dict[str, str] = {}
_CACHE_MAX = 200_000


def norm(text: str) -> str:
    """Lower case, no accents, punctuation to spaces, apostrophes dropped, single spaces."""
    hit = _CACHE.get(text)
    if hit is not None:
        return hit
    folded = text.casefold()
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    out = " ".join(folded.translate(_PUNCT).split())
    if len(_CACHE) < _CACHE_MAX:
        _CACHE[text] = out
    return out


def norm_terms(items: Iterable[str]) -> tuple[str, ...]:
    """Normalised, non-empty, de-duplicated terms in a stable order."""
    seen: dict[str, None] = {}
    for item in items:
        term = norm(item)
        if term:
            seen.setdefault(term, None)
    return tuple(seen)


def padded(text: str) -> str:
    """``norm(text)`` with a space each side, ready for :func:`has_term`."""
    return f" {norm(text)} "


def has_term(padded_text: str, terms: tuple[str, ...]) -> str | None:
    """The first term whose words appear in ``padded_text`` (from :func:`padded`), or None."""
    for term in terms:
        if f" {term} " in padded_text:
            return term
    return None


class Terms:
    """A set of normalised terms, ready to look for in many padded texts (a whole catalogue)."""

    def __init__(self, items: Iterable[str]):
        self.terms = norm_terms(items)
        self.padded = tuple(f" {t} " for t in self.terms)
        self.active = bool(self.terms)

    def __bool__(self) -> bool:
        return self.active

    def found_in(self, padded_text: str) -> bool:
        """Whether any term's words appear in ``padded_text`` (from :func:`padded`)."""
        for term in self.padded:  # noqa: SIM110 (a plain loop is faster than any() here)
            if term in padded_text:
                return True
        return False


class SongText(NamedTuple):
    """A song's fields, normalised and padded once, for matching against many terms."""

    title: str
    artist: str
    album_artist: str
    genre: str
    everything: str  # title, artist, album, album artist, genre and path, for keywords
    artists: str  # artist and album artist (terms never span the double space between them)


_SONG_TEXT: dict[str, tuple[Song, SongText]] = {}


def song_text(song: Song) -> SongText:
    """:class:`SongText` of ``song``, kept while the song is unchanged (the catalogue rarely changes)."""
    hit = _SONG_TEXT.get(song.song_id)
    if hit is not None and (hit[0] is song or hit[0] == song):
        return hit[1]
    text = SongText(
        padded(song.title),
        padded(song.artist),
        padded(song.album_artist),
        padded(song.genre),
        " ".join(
            (
                padded(song.title),
                padded(song.artist),
                padded(song.album),
                padded(song.album_artist),
                padded(song.genre),
                " ".join(norm(song.path).split()),
            )
        )
        + " ",
        padded(song.artist) + padded(song.album_artist),
    )
    if len(_SONG_TEXT) < _CACHE_MAX:
        _SONG_TEXT[song.song_id] = (song, text)
    return text


def song_texts(songs: Sequence[Song]) -> list[SongText]:
    """:func:`song_text` of many songs at once (a whole catalogue: each distinct artist, album, genre and
    folder is normalised once, not once per song; the same results)."""
    out: list[SongText | None] = []
    missing: list[int] = []
    for i, song in enumerate(songs):
        hit = _SONG_TEXT.get(song.song_id)
        if hit is not None and (hit[0] is song or hit[0] == song):
            out.append(hit[1])
        else:
            out.append(None)
            missing.append(i)
    if missing:
        pads: dict[str, str] = {}

        def pad(text: str) -> str:
            got = pads.get(text)
            if got is None:
                got = pads[text] = f" {norm(text)} "
            return got

        for i in missing:
            song = songs[i]
            title, artist, album_artist, genre = (
                pad(song.title),
                pad(song.artist),
                pad(song.album_artist),
                pad(song.genre),
            )
            folder, _sep, name = song.path.rpartition("/")
            path = f"{pad(folder)}{norm(name)}".strip()  # norm(path): "/" is punctuation, a space
            text = SongText(
                title,
                artist,
                album_artist,
                genre,
                " ".join((title, artist, pad(song.album), album_artist, genre, " ".join(path.split()))) + " ",
                artist + album_artist,
            )
            out[i] = text
            if len(_SONG_TEXT) < _CACHE_MAX:
                _SONG_TEXT[song.song_id] = (song, text)
    return cast(list[SongText], out)  # every None was filled


def rows_where(column: Sequence[str], values: set[str]) -> Iterable[int]:
    """Indices of ``column`` whose value is in ``values`` (a C-speed pass)."""
    if not values:
        return ()
    return compress(range(len(column)), map(values.__contains__, column))


class TextColumn:
    """One padded field of many songs joined into one string, to find terms in all of them at C speed.

    Padded texts never let a term span two of them (terms hold single spaces; the join makes a double one).
    """

    def __init__(self, texts: Sequence[str]):
        self.blob = "".join(texts)
        self.ends = list(accumulate(map(len, texts)))

    def rows_with(self, terms: Terms) -> set[int]:
        """Indices of the texts that contain any of ``terms``."""
        rows: set[int] = set()
        blob, ends = self.blob, self.ends
        for term in terms.padded:
            pos = blob.find(term)
            while pos != -1:
                rows.add(bisect_right(ends, pos))
                pos = blob.find(term, pos + 1)
        return rows
