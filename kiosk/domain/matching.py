"""Text matching for favourites and avoid lists: forgiving about case, accents and punctuation.

``"Édith Piaf"`` matches ``"edith piaf"``; ``"Don't Fence Me In"`` matches ``"dont fence me in"``. A term
matches when its words appear together, in order, inside the text (``"Glenn Miller"`` matches
``"Glenn Miller and His Orchestra"``; ``"war"`` does not match ``"Warm"``). For avoid lists this errs on the
side of leaving a song out, which is the safe side.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, compress, repeat
from operator import add
from typing import NamedTuple

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
    out = _norm_rest(text.casefold())
    if len(_CACHE) < _CACHE_MAX:
        _CACHE[text] = out
    return out


# The same folding for a whole column of ASCII texts at once (bytes.translate and a regex: C speed, ~20x
# fewer Python steps than norm() per text): punctuation and ASCII whitespace to spaces, apostrophes dropped.
_ASCII_PUNCT = bytes(
    32 if chr(b) in '!"#$%&()*+,-./:;<=>?@[\\]^_{|}~' or chr(b).isspace() else b for b in range(128)
) + bytes(range(128, 256))
_ASCII_DROP = b"'`"
_SEP = "\x00"


def _norm_rest(folded: str) -> str:
    """:func:`norm` after ``casefold``."""
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(folded.translate(_PUNCT).split())


def norm_many(texts: Sequence[str]) -> list[str]:
    """``[norm(t) for t in texts]`` in bulk (a whole catalogue's titles at start-up: ~0.1 s less at 20,000
    songs). ASCII texts are folded together as one joined string; the others one by one, as :func:`norm`
    does. The results are not kept in :func:`norm`'s cache."""
    if not texts:
        return []
    blob = _SEP.join(texts)
    if blob.count(_SEP) != len(texts) - 1:  # a text holds the separator itself: one by one
        return [norm(t) for t in texts]
    folded = blob.casefold()  # per character: the separators stay where they were
    if folded.isascii():
        return _ascii_norm(folded)
    parts = folded.split(_SEP)
    out = [part if part.isascii() else _norm_rest(part) for part in parts]
    ascii_at = [i for i, part in enumerate(parts) if part.isascii()]
    if ascii_at:
        for i, text in zip(ascii_at, _ascii_norm(_SEP.join([parts[i] for i in ascii_at])), strict=True):
            out[i] = text
    return out


def _ascii_norm(folded: str) -> list[str]:
    """:func:`norm` of ASCII texts already case-folded and joined by ``_SEP``."""
    raw = folded.encode("ascii").translate(_ASCII_PUNCT, _ASCII_DROP)
    while b"  " in raw:  # (bytes.replace is a memchr-speed pass; a regex is ~10x slower here)
        raw = raw.replace(b"  ", b" ")
    raw = raw.replace(b" \x00", b"\x00").replace(b"\x00 ", b"\x00").strip(b" ")
    return raw.decode("ascii").split(_SEP)


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


class CatalogueText:
    """A whole catalogue's normalised text, column by column (what :func:`song_text` gives one song, for every
    song: each column folded in bulk by :func:`norm_many`, each distinct artist, album, genre and folder once).

    ``titles``, ``artists`` and ``genres`` hold the padded texts of each song (``artists``: artist then album
    artist, as :attr:`SongText.artists`); :meth:`everything` is the keywords' column, built when first needed.
    20,000 songs take ~20 ms (one ``norm`` per song took ~0.17 s): the first playlist of a fresh process.
    """

    def __init__(self, songs: Sequence[Song]):
        self.songs = songs
        self.titles = _padded_column([s.title for s in songs])
        self._artist = _padded_column([s.artist for s in songs])
        self._album_artist = _padded_column([s.album_artist for s in songs])
        pairs = list(zip(self._artist, self._album_artist, strict=True))
        joined = {pair: pair[0] + pair[1] for pair in dict.fromkeys(pairs)}  # one string per distinct pair
        self.artists = list(map(joined.__getitem__, pairs))
        self.genres = _padded_column([s.genre for s in songs])
        self._everything: TextColumn | None = None

    def everything(self) -> TextColumn:
        """:attr:`SongText.everything` of every song as one :class:`TextColumn`."""
        if self._everything is None:
            songs = self.songs
            albums = _padded_column([s.album for s in songs])
            cut = [s.path.rpartition("/") for s in songs]
            folders = _padded_column([c[0] for c in cut])
            paths = [f"{f}{n}".strip() for f, n in zip(folders, norm_many([c[2] for c in cut]), strict=True)]
            fields = (self.titles, self._artist, albums, self._album_artist, self.genres, paths)
            # each song's text is its six fields joined by spaces, then a space: the column is all of them so
            lengths: Iterator[int] = repeat(len(fields), len(songs))  # (C-speed passes, no Python per song)
            for field in fields:
                lengths = map(add, lengths, map(len, field))
            blob = " ".join(chain.from_iterable(zip(*fields, strict=True))) + " " if songs else ""
            self._everything = TextColumn.joined(blob, list(accumulate(lengths)))
        return self._everything


def _padded_column(values: list[str]) -> list[str]:
    """``f" {norm(v)} "`` of each value, each distinct value normalised once."""
    distinct = list(dict.fromkeys(values))
    table = {v: f" {n} " for v, n in zip(distinct, norm_many(distinct), strict=True)}
    return list(map(table.__getitem__, values))


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

    @classmethod
    def joined(cls, blob: str, ends: list[int]) -> TextColumn:
        """A column of texts already joined into ``blob``, text ``i`` ending at ``ends[i]``."""
        column = cls.__new__(cls)
        column.blob, column.ends = blob, ends
        return column

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
