"""Scoring songs for one resident over a whole catalogue: the catalogue as columns, and a resident's profile
prepared for fast whole-catalogue passes (era, favourites, learned engagement). Used by
:mod:`kiosk.domain.selection`; see there for the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.domain.explain import Why
from kiosk.domain.matching import CatalogueText, SongText, Terms, TextColumn, rows_where, song_text
from kiosk.domain.models import Resident, Song
from kiosk.domain.songfit import UNKNOWN_ERA_WEIGHT, era_weight

LEARNED_MIN, LEARNED_MAX = -4.0, 3.0  # bounds of the learned score (the factor is 2 ** score)
FAV_SONG, FAV_ARTIST, FAV_GENRE = 8.0, 5.0, 2.0


class Columns:
    """The catalogue as columns (years, ids, normalised artists and genres), for fast whole-catalogue passes."""

    def __init__(self, songs: Sequence[Song]):
        self.songs = songs
        self.text = CatalogueText(songs)
        self.years = [s.year for s in songs]
        self.distinct_years = set(self.years)
        self.ids = [s.song_id for s in songs]
        self.index_of = {s.song_id: i for i, s in enumerate(songs)}
        self.artists = self.text.artists
        self.genres = self.text.genres
        self._titles: TextColumn | None = None
        self._by_theme: dict[str, set[int]] | None = None

    def titles(self) -> TextColumn:
        if self._titles is None:
            self._titles = TextColumn(self.text.titles)
        return self._titles

    def rows_with_themes(self, themes: frozenset[str]) -> set[int]:
        """Indices of the songs that have any of ``themes``."""
        if self._by_theme is None:
            by_theme: dict[str, set[int]] = {}
            for i, song in enumerate(self.songs):
                for name in song.themes:
                    by_theme.setdefault(name, set()).add(i)
            self._by_theme = by_theme
        rows: set[int] = set()
        for name in themes:
            rows |= self._by_theme.get(name, set())
        return rows

    def everything(self) -> TextColumn:
        return self.text.everything()


_LAST_COLUMNS: list[tuple[list[Song], Columns]] = []


def columns_of(songs: Sequence[Song]) -> Columns:
    """:class:`Columns` of ``songs``, reused while they are the same songs as last time (the kiosk chooses every
    playlist from one catalogue: a list comparison, mostly identity checks, instead of ~20 ms per 10,000)."""
    if _LAST_COLUMNS:
        last, cols = _LAST_COLUMNS[0]
        if len(last) == len(songs) and last == list(songs):
            return cols
    cols = Columns(songs)
    _LAST_COLUMNS[:] = [(list(songs), cols)]
    return cols


class Profile:
    """One resident, prepared for fast scoring."""

    def __init__(self, resident: Resident, learned: dict[str, float]):
        self.resident = resident
        self.birth_year = resident.birth_year
        self.fav_artists = Terms(resident.favourite_artists)
        self.fav_songs = Terms(resident.favourite_songs)
        self.fav_genres = Terms(resident.favourite_genres)
        self.any_favourites = bool(self.fav_artists or self.fav_songs or self.fav_genres)
        self._by_artists: dict[str, bool] = {}
        self._by_genre: dict[str, bool] = {}
        self.learned = learned
        self._era: dict[int | None, float] = {None: UNKNOWN_ERA_WEIGHT}
        self.fav_rows: set[int] = set()  # catalogue indices of favourite songs (set by weights())
        self.fav_artist_rows: set[int] = set()  # catalogue indices of songs by favourite artists (weights())

    def era(self, year: int | None) -> float:
        w = self._era.get(year)
        if w is None:
            w = era_weight(year - self.birth_year) if year is not None else UNKNOWN_ERA_WEIGHT
            self._era[year] = w
        return w

    def favourites(self, text: SongText, index: int) -> tuple[bool, bool, bool]:
        """(favourite song, favourite artist, favourite genre) of the catalogue's song ``index``."""
        fs = index in self.fav_rows
        fa = False
        if self.fav_artists.active:
            hit = self._by_artists.get(text.artists)
            if hit is None:
                hit = self._by_artists[text.artists] = self.fav_artists.found_in(text.artists)
            fa = hit
        fg = False
        if self.fav_genres.active:
            hit = self._by_genre.get(text.genre)
            if hit is None:
                hit = self._by_genre[text.genre] = self.fav_genres.found_in(text.genre)
            fg = hit
        return fs, fa, fg

    def weight(self, song: Song, text: SongText, index: int) -> tuple[float, bool]:
        """(weight, is a favourite)."""
        year = song.year
        w = self._era.get(year)
        if w is None:
            w = self.era(year)
        fav = False
        if self.any_favourites:
            fs, fa, fg = self.favourites(text, index)
            if fs or fa or fg:
                fav = True
                w *= (FAV_SONG if fs else 1.0) * (FAV_ARTIST if fa else 1.0) * (FAV_GENRE if fg else 1.0)
        learned = self.learned.get(song.song_id)
        if learned:
            w *= 2.0 ** max(LEARNED_MIN, min(LEARNED_MAX, learned))
        return w, fav

    def weights(self, cat: Columns) -> tuple[list[float], set[int]]:
        """:meth:`weight` of every song, column by column (this is most of a playlist's cost), and the
        indices of the favourites."""
        era_of = {year: self.era(year) for year in cat.distinct_years}
        weights = list(map(era_of.__getitem__, cat.years))
        factor: dict[int, float] = {}
        if self.fav_songs.active:
            self.fav_rows = cat.titles().rows_with(self.fav_songs)
            for i in self.fav_rows:
                factor[i] = FAV_SONG
        for terms, column, cache, boost in (
            (self.fav_artists, cat.artists, self._by_artists, FAV_ARTIST),
            (self.fav_genres, cat.genres, self._by_genre, FAV_GENRE),
        ):
            if terms.active:
                for value in set(column):
                    if value not in cache:
                        cache[value] = terms.found_in(value)
                rows = list(rows_where(column, {v for v, hit in cache.items() if hit}))
                if boost == FAV_ARTIST:
                    self.fav_artist_rows = set(rows)
                for i in rows:
                    factor[i] = factor.get(i, 1.0) * boost
        for i, f in factor.items():
            weights[i] *= f
        index_of = cat.index_of
        for song_id, learned in self.learned.items():
            row = index_of.get(song_id)
            if row is not None and learned:
                weights[row] *= 2.0 ** max(LEARNED_MIN, min(LEARNED_MAX, learned))
        return weights, set(factor)

    def suits(self, song: Song, index: int) -> bool:
        """From this resident's youth (age 10-30), or one of their favourites."""
        return self.era(song.year) >= 0.5 or any(self.favourites(song_text(song), index))

    def whys(self, song: Song, index: int) -> list[Why]:
        """Why ``song`` suits this resident (see :mod:`kiosk.domain.explain`), favourites first."""
        rid = self.resident.resident_id
        whys: list[Why] = []
        fs, fa, fg = self.favourites(song_text(song), index)
        if fs:
            whys.append(Why("favourite_song", rid))
        if fa:
            whys.append(Why("favourite_artist", rid, text=song.artist or song.album_artist))
        if fg:
            whys.append(Why("favourite_genre", rid, text=song.genre))
        if song.year is None:
            whys.append(Why("year_unknown", rid))
        else:
            age = song.year - self.birth_year
            if age < 0:
                whys.append(Why("before_birth", rid, year=song.year))
            else:
                kind = "youth" if self.era(song.year) >= 0.5 else "age"
                whys.append(Why(kind, rid, year=song.year, age=age))
        learned = self.learned.get(song.song_id, 0.0)
        if learned >= 0.5:
            whys.append(Why("enjoyed", rid))
        elif learned <= -0.5:
            whys.append(Why("skipped", rid))
        return whys
