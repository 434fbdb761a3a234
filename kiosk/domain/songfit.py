"""How a song fits: the reminiscence bump, the mode tiers, the avoid lists, and which mode applies now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from kiosk.domain.matching import SongText, Terms, TextColumn, rows_where, song_text
from kiosk.domain.models import Mode, Resident, ScheduleSlot, Song
from kiosk.domain.schedule import mode_at
from kiosk.domain.themes import theme_named

UNKNOWN_ERA_WEIGHT = 0.05


def era_weight(age: int) -> float:
    """The reminiscence bump: the resident's age when the song came out -> weight."""
    if 13 <= age <= 19:
        return 1.0
    if 10 <= age <= 30:
        return 0.55
    if 5 <= age <= 40:
        return 0.15
    if -10 <= age <= 60:
        return 0.06
    return 0.03


def mode_fit(song: Song, mode: Mode) -> int:
    """2 = fits the mode, 1 = unknown / neutral, 0 = contrary (e.g. an upbeat song in relax): its spec's rule."""
    fit = mode.spec.fit
    return 2 if fit is None else fit(song)


class CatalogueColumns(Protocol):
    """What :meth:`AvoidRules.blocked` needs of a catalogue (see ``scoring.Columns``)."""

    songs: Sequence[Song]
    index_of: dict[str, int]
    artists: list[str]
    genres: list[str]

    def rows_with_themes(self, themes: frozenset[str]) -> set[int]: ...

    def titles(self) -> TextColumn: ...

    def everything(self) -> TextColumn: ...


class AvoidRules:
    """The union of avoid lists: hard exclusions, matched forgivingly (see :mod:`kiosk.domain.matching`).

    An avoided song also matches by its song_id, and removes songs whose title contains it (the safe side).
    An avoided theme removes every song of that theme (``Song.themes``); a name that is no theme (a stored
    list from an older vocabulary) is kept as a keyword rather than dropped. A keyword that is a theme's name
    or one of its words (:func:`kiosk.domain.themes.theme_named`) also removes that theme's songs.
    """

    def __init__(
        self,
        artists: Iterable[str] = (),
        songs: Iterable[str] = (),
        genres: Iterable[str] = (),
        keywords: Iterable[str] = (),
        themes: Iterable[str] = (),
    ):
        songs = list(songs)
        keywords = list(keywords)
        named: set[str] = set()
        for item in themes:
            name = theme_named(item)
            if name is not None:
                named.add(name)
            elif item.strip():
                keywords.append(item)
        # A keyword that names a theme ("war", "hymns", "home") also removes that theme's songs.
        named.update(name for k in keywords if (name := theme_named(k)) is not None)
        self.themes = frozenset(named)
        self.artists = Terms(artists)
        self.songs = Terms(songs)
        self.genres = Terms(genres)
        self.keywords = Terms(keywords)
        self.song_ids = frozenset(s.strip() for s in songs if s.strip())
        self._by_artists: dict[str, bool] = {}
        self._by_genre: dict[str, bool] = {}

    @classmethod
    def of(cls, residents: Iterable[Resident]) -> AvoidRules:
        rs = list(residents)
        return cls(
            artists=[a for r in rs for a in r.avoid_artists],
            songs=[s for r in rs for s in r.avoid_songs],
            genres=[g for r in rs for g in r.avoid_genres],
            keywords=[k for r in rs for k in r.avoid_keywords],
            themes=[t for r in rs for t in r.avoid_themes],
        )

    @property
    def empty(self) -> bool:
        return not (self.artists or self.songs or self.genres or self.keywords or self.themes)

    def blocked(self, cat: CatalogueColumns) -> set[int]:
        """Indices of every blocked song of a catalogue (whole-column passes: titles and keywords searched
        in one string, artists and genres decided once per distinct value)."""
        rows: set[int] = set()
        if self.songs.active:
            rows |= cat.titles().rows_with(self.songs)
            rows.update(cat.index_of[sid] for sid in self.song_ids if sid in cat.index_of)
        if self.keywords.active:
            rows |= cat.everything().rows_with(self.keywords)
        if self.themes:
            rows |= cat.rows_with_themes(self.themes)
        for terms, column, cache in (
            (self.artists, cat.artists, self._by_artists),
            (self.genres, cat.genres, self._by_genre),
        ):
            if terms.active:
                for value in set(column):
                    if value not in cache:
                        cache[value] = terms.found_in(value)
                rows.update(rows_where(column, {v for v, hit in cache.items() if hit}))
        return rows

    def blocks(self, song: Song, text: SongText) -> bool:
        """Whether ``song`` must not play (one song at a time)."""
        if self.artists.active:
            hit = self._by_artists.get(text.artists)
            if hit is None:
                hit = self._by_artists[text.artists] = self.artists.found_in(text.artists)
            if hit:
                return True
        if self.songs.active:
            if song.song_id in self.song_ids:
                return True
            title = text.title
            for term in self.songs.padded:
                if term in title:
                    return True
        if self.genres.active:
            hit = self._by_genre.get(text.genre)
            if hit is None:
                hit = self._by_genre[text.genre] = self.genres.found_in(text.genre)
            if hit:
                return True
        if self.keywords.active:
            everything = text.everything
            for term in self.keywords.padded:
                if term in everything:
                    return True
        return bool(self.themes) and not self.themes.isdisjoint(song.themes)

    def why(self, song: Song) -> str | None:
        """Why ``song`` must not play (``"avoided artist"``...), or None when it may."""
        text = song_text(song)
        if self.artists.found_in(text.artists):
            return "avoided artist"
        if song.song_id in self.song_ids or self.songs.found_in(text.title):
            return "avoided song"
        if self.genres.found_in(text.genre):
            return "avoided genre"
        if self.keywords.found_in(text.everything):
            return "avoided keyword"
        if not self.themes.isdisjoint(song.themes):
            return "avoided theme"
        return None


def local_minute(now: datetime) -> int:
    """Minutes after local midnight (an aware time is converted to this machine's local time)."""
    local = now.astimezone() if now.tzinfo is not None else now
    return local.hour * 60 + local.minute


def resolve_mode(
    mode: Mode | str | None,
    residents: Sequence[Resident],
    now: datetime,
    default_schedule: tuple[ScheduleSlot, ...] = (),
    quiet: bool = False,
) -> tuple[Mode, str]:
    """The mode to play and where it came from. Chosen > quiet hours > residents' schedules > the kiosk's."""
    if mode:
        return Mode(mode), "chosen"
    if quiet:
        return Mode.RELAX, "quiet hours"
    minute = local_minute(now)
    wanted = {m for r in residents if (m := mode_at(minute, r.schedule)) is not None}
    if wanted:  # when group members' schedules disagree, the calmer mode wins (ModeSpec.calm_rank)
        order = list(Mode)
        calmest = min(wanted, key=lambda m: (m.spec.calm_rank, order.index(m)))
        return calmest, "resident's schedule" if len(residents) == 1 else "residents' schedules"
    kiosk = mode_at(minute, default_schedule)
    if kiosk is not None:
        return kiosk, "kiosk schedule"
    return Mode.LISTEN, "default"
