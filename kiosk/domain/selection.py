"""Which songs to play, for whom, and why: pure, deterministic given the ``random.Random`` passed in.

A song's weight for one resident is ``era x favourites x learned``:

- era (the reminiscence bump): strongest when the resident was 13-19 as the song came out, strong 10-30,
  weak outside; songs of unknown year come only after every song with a known year (a last resort);
- favourites: favourite song x8, artist x5, genre x2; and beyond weights, a named favourite song opens the
  session (one per listener, at most three, rotating; :mod:`kiosk.domain.favourites`), and a favourite
  artist's songs come before the other songs of their decade;
- learned engagement: likes and full listens raise it, skips in the first 20 s lower it, each outcome
  fading with a half-life of four weeks (``2 ** score``, bounded).

A group (a lounge) blends by the mean of the residents' weights, each first scaled to the same total, so each
person's era and favourites count equally, however many songs of their youth the library holds.
Recently played songs (last three days) are damped. The avoid lists of everyone present are absolute: an
avoided song, artist, genre or keyword is never a candidate, in any mode, whatever else happens.

Modes sort songs into tiers (fits / unknown / contrary); the best tier is used first, and a mode with too few
fitting songs widens to the next tier and says so, rather than returning nothing.

Use :class:`Selector` for one song at a time (the session engine, the decade dial) and
:func:`select_playlist` for a whole list (``kiosk playlist``).
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.domain.choice import Choice, Playlist
from kiosk.domain.explain import Why, explain
from kiosk.domain.favourites import FIRST_SLOTS, artist_turn, favourite_artists_first, opening_favourites
from kiosk.domain.learning import as_utc, learned_scores
from kiosk.domain.matching import song_text
from kiosk.domain.models import Mode, Resident, ScheduleSlot, Song
from kiosk.domain.scoring import Profile, columns_of
from kiosk.domain.songfit import (
    UNKNOWN_ERA_WEIGHT,
    AvoidRules,
    era_weight,
    mode_fit,
    resolve_mode,
)

__all__ = [
    "prepare",
    "AvoidRules",
    "Choice",
    "Playlist",
    "Selector",
    "era_weight",
    "mode_fit",
    "resolve_mode",
    "select_playlist",
    "under_review",
]

RECENT_DAYS = 3.0  # songs played within this many days are damped
RECENT_FLOOR = 0.15  # weight factor for a song played just now (recovers linearly over RECENT_DAYS)

History = Mapping[str, Iterable[Mapping[str, Any]]]  # resident_id -> outcomes


# --- the selector ---------------------------------------------------------------------------------------------


class Selector:
    """Scores a catalogue once for the residents present, then hands out songs one at a time or as a list.

    ``now`` is timezone-aware UTC (naive is taken as UTC for history); the schedule uses local time.
    ``history`` maps resident_id -> plays ``{song_id, outcome, listened_s, liked, at}`` (see
    :func:`learned_scores`). ``recently_played`` (song_id -> when) defaults to what ``history`` shows.
    """

    def __init__(
        self,
        songs: Sequence[Song],
        residents: Sequence[Resident],
        mode: Mode | str | None = None,
        rng: random.Random | None = None,
        now: datetime | None = None,
        history: History | None = None,
        *,
        recently_played: Mapping[str, datetime] | None = None,
        default_schedule: tuple[ScheduleSlot, ...] = (),
        quiet: bool = False,
        reviewed: Iterable[str] = (),
    ) -> None:
        self.now = as_utc(now or datetime.now(UTC))
        self.rng = rng if rng is not None else random.Random()
        self.residents = list(residents)
        self.mode, self.mode_source = resolve_mode(mode, self.residents, self.now, default_schedule, quiet)
        history = history or {}
        last_played: dict[str, datetime] = {}
        profiles: list[Profile] = []
        for r in self.residents:
            scores, last = learned_scores(history.get(r.resident_id, ()), self.now, recent_days=RECENT_DAYS)
            profiles.append(Profile(r, scores))
            for sid, at in last.items():
                if sid not in last_played or at > last_played[sid]:
                    last_played[sid] = at
        if recently_played is not None:
            last_played = {k: as_utc(v) for k, v in recently_played.items()}
        self._profiles = profiles
        self.avoid = AvoidRules.of(self.residents)
        self.songs: list[Song] = list(songs)
        cat = columns_of(self.songs)
        blocked = self.avoid.blocked(cat)
        self.avoided = len(blocked)  # songs left out by avoid lists
        # Songs stopped as upsetting and not yet decided by staff (see under_review): out, like an avoided song
        blocked = blocked | {cat.index_of[sid] for sid in reviewed if sid in cat.index_of}
        if self.mode.spec.needs_beat_grid:  # Play along: nothing to play along to without a grid
            blocked = blocked | {i for i, s in enumerate(self.songs) if not s.has_beat_grid}
        n = len(profiles)
        per = [p.weights(cat) for p in profiles]
        if n == 1:
            weights, favs = per[0]
        elif n:
            # Each listener gets an equal share of the whole: someone whose youth has few songs in the
            # library is not drowned out by someone whose decades fill it.
            scaled = []
            for w, _ in per:
                total = sum(w[i] for i in range(len(w)) if i not in blocked) or 1.0
                factor = len(w) / total
                scaled.append([x * factor for x in w])
            weights = [sum(ws) / n for ws in zip(*scaled, strict=True)]
            favs = set().union(*(f for _, f in per))
        else:
            weights, favs = [UNKNOWN_ERA_WEIGHT] * len(self.songs), set()
        recent_s = RECENT_DAYS * 86400.0
        for song_id, played_at in last_played.items():
            i = cat.index_of.get(song_id)
            ago_s = (self.now - played_at).total_seconds()
            if i is not None and ago_s < recent_s:
                weights[i] *= RECENT_FLOOR + (1.0 - RECENT_FLOOR) * max(0.0, ago_s) / recent_s
        # rank = 2 * mode tier + (year known, or a favourite): a lower rank is used only when higher ones run out
        known = [y is not None for y in cat.years]
        for i in favs:
            known[i] = True
        if not profiles:
            known = [True] * len(known)
        if self.mode.spec.fit is None:  # every song fits (Listen)
            tiers = [2] * len(self.songs)
        else:
            tiers = [mode_fit(s, self.mode) for s in self.songs]
        # candidates: (rank, weight, catalogue index)
        cands: list[tuple[int, float, int]] = [
            (tier + tier + is_known, w if w > 1e-12 else 1e-12, i)
            for i, (tier, is_known, w) in enumerate(zip(tiers, known, weights, strict=True))
            if i not in blocked
        ]
        fits = Counter(tiers)
        fits.subtract(tiers[i] for i in blocked)
        self.fit_counts = [fits[0], fits[1], fits[2]]  # playable songs per mode tier
        self._cands = cands
        self._last_artist: str | None = None
        self.fav_artist_rows: set[int] = set().union(*(p.fav_artist_rows for p in profiles))
        self._decades = [y // 10 if y is not None else None for y in cat.years]  # decade of each song
        self.first = opening_favourites(profiles, cands, tiers, cat.ids, history, last_played, self.rng)

    # -- explanations --

    def _choice(self, rank: int, weight: float, index: int, first_for: str | None = None) -> Choice:
        """The :class:`Choice` of catalogue song ``index``; ``first_for``: the resident whose favourite
        opens the session with it."""
        song = self.songs[index]
        tier, known = divmod(rank, 2)
        whys: list[Why]
        if first_for is not None:
            profile = next(p for p in self._profiles if p.resident.resident_id == first_for)
            whys = [Why("favourite_first", first_for)]
            whys += [w for w in profile.whys(song, index) if w.kind != "favourite_song"]
        elif len(self._profiles) == 1:
            whys = self._profiles[0].whys(song, index)
        elif self._profiles:
            best = max(self._profiles, key=lambda p: p.weight(song, song_text(song), index)[0])
            whys = best.whys(song, index)
        else:
            whys = [Why("no_profile")]
        if len(self._profiles) > 1:
            suits = sum(1 for p in self._profiles if p.suits(song, index))
            if suits > 1:
                whys.append(Why("group", count=suits, total=len(self._profiles)))
        widened = False
        if tier < 2:
            whys.append(Why("outside_mode", text=self.mode.spec.fit_word))
            widened = True
        if not known:
            widened = True
        return Choice(song, explain(whys), weight, widened, tuple(whys))

    # -- one at a time --

    def _weighted(self, cands: list[tuple[int, float, int]]) -> tuple[int, float, int]:
        """One of ``cands``, each as likely as its weight."""
        x = self.rng.random() * sum(c[1] for c in cands)
        for cand in cands:
            x -= cand[1]
            if x < 0:
                break
        return cand

    def _draw(self, pool: list[tuple[int, float, int]], avoid_artist: str | None) -> Choice | None:
        if not pool:
            return None
        best = max(c[0] for c in pool)
        same_rank = top = [c for c in pool if c[0] == best]
        if avoid_artist:
            other = [c for c in top if self.songs[c[2]].artist.casefold() != avoid_artist]
            if other:
                top = other
        cand = self._weighted(top)
        if self.fav_artist_rows and cand[2] not in self.fav_artist_rows:
            cand = artist_turn(cand, top, same_rank, self.fav_artist_rows, self._decades, self._weighted)
        choice = self._choice(*cand)
        self._last_artist = choice.song.artist.casefold() or None
        return choice

    def next(self, exclude_ids: Iterable[str] = (), last_artist: str | None = None) -> Choice | None:
        """The next song (not in ``exclude_ids``, e.g. played this session), or None when none is left.

        Not the same artist as ``last_artist`` (default: the artist this selector chose last) when avoidable.
        """
        excluded = set(exclude_ids)
        if len(excluded) < FIRST_SLOTS:  # the start of a session: its listeners' favourites first
            for cand, resident_id in self.first:
                if self.songs[cand[2]].song_id not in excluded:
                    choice = self._choice(*cand, first_for=resident_id)
                    self._last_artist = choice.song.artist.casefold() or None
                    return choice
        pool = [c for c in self._cands if self.songs[c[2]].song_id not in excluded]
        avoid_artist = last_artist.casefold() if last_artist else self._last_artist
        return self._draw(pool, avoid_artist)

    def for_decade(self, decade: str, exclude_ids: Iterable[str] = ()) -> Choice | None:
        """A song from ``decade`` (``"1950s"``) for the radio dial; None when that decade has none to play."""
        excluded = set(exclude_ids)
        pool = [
            c
            for c in self._cands
            if self.songs[c[2]].decade == decade and self.songs[c[2]].song_id not in excluded
        ]
        return self._draw(pool, self._last_artist)

    # -- a whole list --

    def playlist(self, count: int, exclude_ids: Iterable[str] = ()) -> Playlist:
        """``count`` songs: the listeners' favourites first (when ``exclude_ids``, the songs already played,
        are fewer than three), then weighted sampling without repeats, best tier first, a favourite artist
        before the rest of their decade, artists spread out."""
        excluded = set(exclude_ids)
        rng = self.rng
        opening: list[tuple[tuple[int, float, int], str]] = []
        if len(excluded) < FIRST_SLOTS:
            opening = [(c, rid) for c, rid in self.first if self.songs[c[2]].song_id not in excluded]
            opening = opening[: max(0, count)]
            excluded |= {self.songs[c[2]].song_id for c, _rid in opening}
        keyed: list[tuple[int, float, int, float]] = []
        for rank, weight, index in self._cands:
            if excluded and self.songs[index].song_id in excluded:
                continue
            # Efraimidis-Spirakis weighted sampling: a larger key is a more likely pick.
            keyed.append((rank, math.log(1.0 - rng.random()) / weight, index, weight))
        want = max(0, count - len(opening))
        if len(keyed) > 4 * want + 64:
            order = heapq.nlargest(4 * want + 64, keyed)
        else:
            order = sorted(keyed, reverse=True)
        if self.fav_artist_rows:
            fav_keyed = [k for k in keyed if k[2] in self.fav_artist_rows]
            order = favourite_artists_first(order, fav_keyed, self._decades)
        per_artist_max = max(2, want // 6)
        picked: list[tuple[int, float, int]] = []
        # Held back (artist just played, or past its share, or a favourite artist's song of the decade waits),
        # in the order met: ``deferred`` may still become acceptable, ``stuck`` (artist past its share: counts
        # only grow) never does before the final fill. Kept apart so a long library of few artists costs O(n).
        deferred: list[tuple[int, tuple[int, float, int]]] = []
        stuck: list[tuple[int, tuple[int, float, int]]] = []
        fav_waiting: dict[object, int] = {}  # decade -> favourite artists' songs held back
        by_artist: dict[str, int] = {}
        for cand, _rid in opening:
            by_artist[self.songs[cand[2]].artist.casefold()] = (
                by_artist.get(self.songs[cand[2]].artist.casefold(), 0) + 1
            )
        last = self.songs[opening[-1][0][2]].artist.casefold() if opening else ""

        fav_artist, decades = self.fav_artist_rows, self._decades
        held = [0]  # order of holding back

        fav_stuck: dict[object, int] = {}  # decade -> favourite artists' songs in ``stuck``

        def never(index: int) -> bool:
            """Cannot be taken before the final fill: its artist is past its share (counts only grow), or a
            favourite artist's song of its decade is stuck (so it waits for good)."""
            artist = self.songs[index].artist.casefold()
            if artist and by_artist.get(artist, 0) >= per_artist_max:
                return True
            return bool(fav_artist) and index not in fav_artist and fav_stuck.get(decades[index], 0) > 0

        def to_stuck(item: tuple[int, tuple[int, float, int]]) -> None:
            stuck.append(item)
            if fav_artist and item[1][2] in fav_artist:
                decade = decades[item[1][2]]
                fav_stuck[decade] = fav_stuck.get(decade, 0) + 1

        def ok(index: int) -> bool:
            # not while a favourite artist's song of its decade waits
            if fav_artist and index not in fav_artist and fav_waiting.get(decades[index], 0):
                return False
            artist = self.songs[index].artist.casefold()
            return not artist or (artist != last and by_artist.get(artist, 0) < per_artist_max)

        def hold(cand: tuple[int, float, int]) -> None:
            held[0] += 1
            if fav_artist and cand[2] in fav_artist:
                fav_waiting[decades[cand[2]]] = fav_waiting.get(decades[cand[2]], 0) + 1
            if never(cand[2]):
                to_stuck((held[0], cand))
            else:
                deferred.append((held[0], cand))

        epoch = [0]  # songs taken so far: what ok() depends on changes only when one is
        scanned: list[tuple[int, int]] = [
            (-1, -1)
        ]  # (epoch, rank) of the last fruitless look at ``deferred``

        def take(cand: tuple[int, float, int], was_held: bool = False) -> None:
            nonlocal last
            epoch[0] += 1
            picked.append(cand)
            last = self.songs[cand[2]].artist.casefold()
            by_artist[last] = by_artist.get(last, 0) + 1
            if was_held and fav_artist and cand[2] in fav_artist:
                fav_waiting[decades[cand[2]]] -= 1

        def drain(pool: Iterable[tuple[int, float, int, float]]) -> None:
            for rank, _key, index, weight in pool:
                if len(picked) >= want:
                    return
                j = 0 if (epoch[0], rank) != scanned[0] else len(deferred)
                while j < len(deferred):  # a song held back earlier goes first once it may
                    d = deferred[j][1]
                    if never(d[2]):
                        to_stuck(deferred.pop(j))
                        continue
                    if d[0] >= rank and ok(d[2]):
                        take(deferred.pop(j)[1], was_held=True)
                        break
                    j += 1
                else:  # none may go: nor will any until a song is taken or the rank changes
                    scanned[0] = (epoch[0], rank)
                if len(picked) >= want:
                    return
                if ok(index):
                    take((rank, weight, index))
                else:
                    hold((rank, weight, index))

        drain(order)
        if len(picked) < want and len(order) < len(keyed):
            seen = {c[2] for c in order}
            drain(sorted((c for c in keyed if c[2] not in seen), reverse=True))
        waiting = [c for _n, c in sorted(deferred + stuck)]
        while len(picked) < want and waiting:  # past the per-artist share: still not twice in a row
            j = next((j for j, d in enumerate(waiting) if self.songs[d[2]].artist.casefold() != last), 0)
            take(waiting.pop(j))
        choices = [self._choice(*c, first_for=rid) for c, rid in opening]
        choices += [self._choice(*c) for c in picked]
        return Playlist(choices, mode=self.mode, mode_source=self.mode_source, notes=self._notes(choices))

    def _notes(self, choices: Sequence[Choice]) -> list[str]:
        notes = [f"mode {self.mode.value} ({self.mode_source})"]
        if self.avoided:
            noun = "song" if self.avoided == 1 else "songs"
            notes.append(f"{self.avoided} {noun} left out by avoid lists")
        if self.mode.spec.fit is not None:
            fitting = self.fit_counts[2]
            outside = sum(1 for c in choices if any(w.kind == "outside_mode" for w in c.why))
            if outside:
                word = self.mode.spec.fit_word
                notes.append(
                    f"only {fitting} songs are marked {word}: added {outside} others to fill the list"
                )
        unknown = sum(1 for c in choices if c.song.year is None and c.widened)
        if unknown:
            notes.append(f"{unknown} songs of unknown year used: too few songs with a known year")
        if not choices:
            notes.append("no songs to choose from" if not self.avoided else "every song is on an avoid list")
        return notes


def under_review(reviews: Iterable[Mapping[str, Any]], resident_ids: Iterable[str]) -> set[str]:
    """Song ids stopped as upsetting and still awaiting a staff decision, for the residents listening now.

    A review (``{song_id, resident_id, ...}``) holds for its resident in any session they are in, alone or in a
    group; one without a resident (the home's mix) holds for the home's mix. Passed to :class:`Selector` as
    ``reviewed``, it is a hard filter like an avoid list: no weight, favourite or mode brings the song back.
    """
    present = set(resident_ids)
    out: set[str] = set()
    for review in reviews:
        rid = review.get("resident_id")
        if (rid in present) if rid else not present:
            out.add(str(review.get("song_id")))
    return out


def prepare(songs: Iterable[Song]) -> None:
    """Build the catalogue's columns now (normalised text, years, ids: ~50 ms CPU at 20,000 songs that the
    first selection over a new catalogue pays otherwise): call at start-up and after a rescan, off the UI's
    critical path."""
    columns_of(list(songs))


def select_playlist(
    songs: Sequence[Song],
    residents: Sequence[Resident],
    *,
    mode: Mode | str | None = None,
    count: int = 20,
    rng: random.Random,
    now: datetime,
    history: History | None = None,
    recently_played: Mapping[str, datetime] | None = None,
    default_schedule: tuple[ScheduleSlot, ...] = (),
    quiet: bool = False,
    exclude_ids: Iterable[str] = (),
    reviewed: Iterable[str] = (),
) -> Playlist:
    """A playlist of up to ``count`` songs for ``residents`` (one, or a lounge group). See :class:`Selector`."""
    selector = Selector(
        songs,
        residents,
        mode,
        rng,
        now,
        history,
        recently_played=recently_played,
        default_schedule=default_schedule,
        quiet=quiet,
        reviewed=reviewed,
    )
    return selector.playlist(count, exclude_ids)
