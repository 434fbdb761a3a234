"""What a resident's profile does to the current library, for the import's dry run (pure).

Per resident: what each avoid entry removes (how many songs and a few titles), a warning for every entry that
removes nothing ("'war songs' matches no song; did you mean the theme 'war'?"), the first songs they would
hear, and whether the library holds enough songs from their youth (with the decades to add when it does not).

Staff trust a profile when they can see its effect before it is stored; nothing here reads or writes a file.
The ``kiosk residents import --dry-run`` output is built from :class:`ResidentPreview` by the import.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.domain.models import Resident, Song, decade_of
from kiosk.domain.scoring import Columns
from kiosk.domain.selection import Choice, History, Selector
from kiosk.domain.songfit import AvoidRules
from kiosk.domain.themes import did_you_mean, theme_named

FEW_TITLES = 3  # titles shown per avoid entry
FIRST_SONGS = 5  # songs shown as "the first they would hear"
YOUTH_AGES = (10, 30)  # the reminiscence bump, widest band (era weight >= 0.55)
PEAK_AGES = (13, 19)  # its strongest part (era weight 1.0)
YOUTH_MIN_SONGS = 20  # fewer playable songs than this from a resident's youth: say so
AVOID_FIELDS = ("avoid_themes", "avoid_keywords", "avoid_songs", "avoid_artists", "avoid_genres")
_WHAT = {
    "avoid_themes": "theme",
    "avoid_keywords": "word",
    "avoid_songs": "song",
    "avoid_artists": "artist",
    "avoid_genres": "genre",
}


@dataclass(frozen=True)
class EntryEffect:
    """What one avoid entry removes from the library."""

    field: str  # one of AVOID_FIELDS
    entry: str  # as written in the profile
    removed: int  # songs of the library it leaves out (some may be left out by other entries too)
    titles: tuple[str, ...]  # up to FEW_TITLES of them, in library order (year, then title)
    warning: str | None = None  # set when it removes nothing: what to check, with a "did you mean"
    by_themes: tuple[str, ...] = ()  # a keyword that names themes ("hymns"): it removes their songs too

    def sentence(self) -> str:
        """``'war' (theme) removes 4 songs: It's a Long Way to Tipperary, Keep the Home Fires Burning, ...``"""
        also = ""
        if self.by_themes:
            also = f", also the theme{'s' if len(self.by_themes) > 1 else ''} {', '.join(self.by_themes)}"
        head = f"{self.entry!r} ({_WHAT.get(self.field, self.field)}{also})"
        if not self.removed:
            return f"{head} removes no song"
        more = self.removed - len(self.titles)
        listed = ", ".join(self.titles) + (f" and {more} more" if more > 0 else "")
        noun = "song" if self.removed == 1 else "songs"
        return f"{head} removes {self.removed} {noun}: {listed}"


@dataclass(frozen=True)
class YouthCoverage:
    """How many playable songs (not avoided) come from the years a resident was 10 to 30."""

    first_year: int
    last_year: int
    songs: int
    per_decade: Mapping[str, int]  # every decade touching those years -> its playable songs there
    suggest: tuple[str, ...]  # decades worth adding, most useful first (their teens first)

    @property
    def few(self) -> bool:
        return self.songs < YOUTH_MIN_SONGS

    def sentence(self, name: str) -> str | None:
        """``"Only 3 songs in the library are from Mary's youth (1948 to 1968): adding songs from the 1950s
        (none now) and the 1960s (2 now) would help."`` or None when there are enough."""
        if not self.few:
            return None
        have = (
            "No song"
            if self.songs == 0
            else ("Only 1 song" if self.songs == 1 else f"Only {self.songs} songs")
        )
        verb = "is" if self.songs <= 1 else "are"
        parts = [f"the {d} ({self.per_decade.get(d) or 'none'} now)" for d in self.suggest]
        add = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return (
            f"{have} in the library {verb} from {name}'s youth ({self.first_year} to {self.last_year}): "
            f"adding songs from {add} would help."
        )


@dataclass(frozen=True)
class ResidentPreview:
    """The dry run's view of one resident against the current library."""

    resident: Resident
    effects: tuple[EntryEffect, ...]
    removed_total: int  # songs left out by the whole avoid list together
    library_size: int
    first_songs: tuple[Choice, ...]
    youth: YouthCoverage
    notes: tuple[str, ...] = field(default=())

    @property
    def warnings(self) -> list[str]:
        """Every avoid entry that removes nothing, as a sentence."""
        return [e.warning for e in self.effects if e.warning]

    def lines(self) -> list[str]:
        """Plain lines for a terminal: the avoid effects, warnings, first songs and the youth note."""
        name = self.resident.display_name
        out = [f"{self.resident.staff_id} ({name}):"]
        if self.effects:
            out.append(f"  avoid list leaves out {self.removed_total} of {self.library_size} songs")
            out.extend(f"    {e.sentence()}" for e in self.effects)
        else:
            out.append("  no avoid list")
        out.extend(f"  warning: {w}" for w in self.warnings)
        if self.first_songs:
            out.append("  first songs they would hear:")
            for i, c in enumerate(self.first_songs, 1):
                year = c.song.year if c.song.year is not None else "year unknown"
                artist = f" - {c.song.artist}" if c.song.artist else ""
                out.append(f"    {i}. {c.song.title}{artist} ({year})")
        else:
            out.append("  no song they could hear: every song is left out")
        youth = self.youth.sentence(name)
        if youth:
            out.append(f"  note: {youth}")
        out.extend(f"  note: {n}" for n in self.notes)
        return out


def _rules(field_name: str, entries: Sequence[str]) -> AvoidRules:
    return AvoidRules(**{field_name.removeprefix("avoid_"): entries})


def unmatched_warning(field_name: str, entry: str, cat: Columns | None = None) -> str:
    """Why ``entry`` (in ``field_name``) might match no song, and what it probably meant."""
    what = _WHAT.get(field_name, "entry")
    if field_name == "avoid_themes" and theme_named(entry):
        return (
            f"the theme {theme_named(entry)!r} matches no song: no song in the library is marked with it yet "
            "(themes come from era.toml, genres and folder names)"
        )
    guess = did_you_mean(entry)
    if field_name == "avoid_keywords" and guess is not None and theme_named(entry) == guess:
        return (
            f"{entry!r} matches no song: it stands for the theme {guess!r} too, but no song in the library "
            "is marked with it yet (themes come from era.toml, genres and folder names)"
        )
    if guess is not None and field_name != "avoid_themes":
        return f"{entry!r} matches no song; did you mean the theme {guess!r}?"
    if cat is not None:
        for other in ("avoid_artists", "avoid_songs", "avoid_genres", "avoid_keywords"):
            if other != field_name and _rules(other, [entry]).blocked(cat):
                return f"{entry!r} matches no {what}; it matches as {_WHAT[other]}: move it to {other}?"
    return f"{entry!r} matches no song in the library (check the spelling)"


def avoid_effects(
    resident: Resident, songs: Sequence[Song], *, cat: Columns | None = None
) -> list[EntryEffect]:
    """The effect of each entry of ``resident``'s avoid lists on ``songs``, in :data:`AVOID_FIELDS` order.
    Pass ``cat`` (``Columns(songs)``) to reuse it across residents."""
    cat = cat if cat is not None else Columns(songs)
    order = sorted(
        range(len(songs)), key=lambda i: (songs[i].year is None, songs[i].year or 0, songs[i].title)
    )
    rank = {i: n for n, i in enumerate(order)}
    effects: list[EntryEffect] = []
    for field_name in AVOID_FIELDS:
        for entry in getattr(resident, field_name):
            rows = sorted(_rules(field_name, [entry]).blocked(cat), key=rank.__getitem__)
            titles = tuple(songs[i].title for i in rows[:FEW_TITLES])
            warning = None if rows else unmatched_warning(field_name, entry, cat)
            named = theme_named(entry) if field_name == "avoid_keywords" else None
            by_themes: tuple[str, ...] = (named,) if named else ()
            effects.append(EntryEffect(field_name, entry, len(rows), titles, warning, by_themes))
    return effects


def youth_coverage(
    resident: Resident, songs: Sequence[Song], blocked: set[int] | None = None
) -> YouthCoverage:
    """Playable songs from the years ``resident`` was 10 to 30, per decade, and which decades to add."""
    first, last = resident.birth_year + YOUTH_AGES[0], resident.birth_year + YOUTH_AGES[1]
    blocked = blocked or set()
    counts: Counter[str] = Counter()
    total = 0
    for i, song in enumerate(songs):
        if i in blocked or song.year is None or not first <= song.year <= last:
            continue
        total += 1
        counts[str(decade_of(song.year))] += 1
    decades = [f"{d}s" for d in range(first // 10 * 10, last // 10 * 10 + 1, 10)]
    peak = {
        str(decade_of(y))
        for y in range(resident.birth_year + PEAK_AGES[0], resident.birth_year + PEAK_AGES[1] + 1)
    }

    def overlap(decade: str) -> int:
        start = int(decade[:-1])
        return min(last, start + 9) - max(first, start) + 1

    # Their teens first, then the decades they lived most of their youth in, emptiest first; a decade that
    # only touches the edge of their youth (a year or two) is not worth a shopping trip.
    useful = [d for d in decades if d in peak or overlap(d) >= 4]
    suggest = sorted(useful, key=lambda d: (d not in peak, counts[d], -overlap(d), d))[:3]
    return YouthCoverage(first, last, total, {d: counts[d] for d in decades}, tuple(sorted(suggest)))


def preview_residents(
    residents: Sequence[Resident],
    songs: Sequence[Song],
    *,
    now: datetime,
    seed: int = 0,
    first: int = FIRST_SONGS,
    history: History | None = None,
    recently_played: Mapping[str, datetime] | None = None,
) -> list[ResidentPreview]:
    """:class:`ResidentPreview` of each resident against ``songs`` (the current library), each alone.

    ``seed`` makes the first songs repeatable; ``history`` (resident_id -> plays) is what the kiosk learned,
    as for :class:`~kiosk.domain.selection.Selector` (a new resident has none)."""
    cat = Columns(songs)
    out: list[ResidentPreview] = []
    for resident in residents:
        effects = avoid_effects(resident, songs, cat=cat)
        blocked = AvoidRules.of([resident]).blocked(cat)
        selector = Selector(
            songs,
            [resident],
            None,
            random.Random(seed),
            now,
            history,
            recently_played=recently_played,
        )
        playlist = selector.playlist(first)
        out.append(
            ResidentPreview(
                resident=resident,
                effects=tuple(effects),
                removed_total=len(blocked),
                library_size=len(songs),
                first_songs=tuple(playlist),
                youth=youth_coverage(resident, songs, blocked),
            )
        )
    return out


def preview_resident(
    resident: Resident, songs: Sequence[Song], *, now: datetime, seed: int = 0
) -> ResidentPreview:
    """:func:`preview_residents` for one resident."""
    return preview_residents([resident], songs, now=now, seed=seed)[0]
