"""Favourites first: a resident's named favourite song early in each session, their favourite artists before
other songs of the same decade (pure; used by :class:`~kiosk.domain.selection.Selector`).

Staff name a favourite because it reliably reaches the person; left to the era weights it can come twelfth.
So a session opens with one favourite per listener (at most :data:`FIRST_SLOTS`), rotating: each time the
favourite heard longest ago (never heard first; ties broken by the session's random generator), read from the
same play history selection learns from, so no extra state is stored. A favourite is never taken from outside
the candidates: an avoided song (anyone's avoid list) or one held back for review is never a candidate.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.domain.learning import as_utc
from kiosk.domain.scoring import Profile

FIRST_SLOTS = 3  # favourites go within the first three songs of a session
_NEVER = datetime.min.replace(tzinfo=UTC)
Cand = tuple[int, float, int]  # a selection candidate: (rank, weight, catalogue index)


def last_heard(history: Mapping[str, Iterable[Mapping[str, Any]]], song_ids: set[str]) -> dict[str, datetime]:
    """When each of ``song_ids`` was last played, over all of ``history`` (resident_id -> plays)."""
    last: dict[str, datetime] = {}
    if not song_ids:
        return last
    for plays in history.values():
        for play in plays:
            sid = play.get("song_id")
            if sid not in song_ids:
                continue
            raw = play.get("at")
            try:
                at = as_utc(raw) if isinstance(raw, datetime) else as_utc(datetime.fromisoformat(str(raw)))
            except ValueError:
                continue
            if at > last.get(str(sid), _NEVER):
                last[str(sid)] = at
    return last


def favourite_queue(
    favourites: Sequence[tuple[str, Sequence[int]]],
    song_ids: Sequence[str],
    heard: Mapping[str, datetime],
    rng: random.Random,
) -> list[tuple[int, str]]:
    """The favourites that open a session: ``(catalogue index, resident_id)``, at most :data:`FIRST_SLOTS`.

    ``favourites`` is, per listener present, ``(resident_id, indices of their favourite songs that may
    play now)``; ``song_ids[i]`` is the id of catalogue index ``i``; ``heard`` says when a song was last
    played. Each listener gets the favourite heard longest ago; with more listeners than slots, those whose
    favourite was heard longest ago go first.
    """
    picks: list[tuple[datetime, float, int, str]] = []
    taken: set[int] = set()
    for resident_id, rows in favourites:
        options = sorted(
            (heard.get(song_ids[i], _NEVER), rng.random(), i) for i in sorted(set(rows)) if i not in taken
        )
        if options:
            when, tie, index = options[0]
            taken.add(index)
            picks.append((when, tie, index, resident_id))
    picks.sort()
    return [(index, rid) for _when, _tie, index, rid in picks[:FIRST_SLOTS]]


def favourite_artists_first(
    order: list[tuple[int, float, int, float]],
    fav_keyed: Sequence[tuple[int, float, int, float]],
    decade_of: Sequence[int | None],
) -> list[tuple[int, float, int, float]]:
    """Sampling keys re-dealt so that, within each rank and decade, songs by a favourite artist hold the best
    keys: they come before every other song of their decade, while each decade keeps the places the era
    weights gave it.

    ``order``: the best ``(rank, key, index, weight)`` entries, sorted best first (all a playlist looks at);
    ``fav_keyed``: every candidate entry by a favourite artist, in ``order`` or not; ``decade_of[index]``:
    anything naming the song's decade. Only ``order`` is rewritten (so the cost does not grow with the
    catalogue): in each (rank, decade) group, its slots in ``order`` keep their keys, and are filled by the
    group's favourite-artist songs first (best key first), then by its other songs as they were. Songs pushed
    out of ``order`` this way are the group's lowest there."""
    favs_of: dict[tuple[int, int | None], list[tuple[int, float, int, float]]] = {}
    for entry in fav_keyed:
        favs_of.setdefault((entry[0], decade_of[entry[2]]), []).append(entry)
    if not favs_of:
        return order
    slots: dict[tuple[int, int | None], list[int]] = {}
    for pos, entry in enumerate(order):
        group = (entry[0], decade_of[entry[2]])
        if group in favs_of:
            slots.setdefault(group, []).append(pos)
    out = list(order)
    for group, positions in slots.items():
        favs = sorted(favs_of[group], key=lambda e: e[1], reverse=True)
        fav_rows = {e[2] for e in favs}
        others = [order[p] for p in positions if order[p][2] not in fav_rows]
        for pos, entry in zip(positions, favs + others, strict=False):
            out[pos] = (entry[0], order[pos][1], entry[2], entry[3])
    return out


def opening_favourites(
    profiles: Sequence[Profile],
    cands: Sequence[Cand],
    tiers: Sequence[int],
    song_ids: Sequence[str],
    history: Mapping[str, Iterable[Mapping[str, Any]]],
    recently_played: Mapping[str, datetime],
    rng: random.Random,
) -> list[tuple[Cand, str]]:
    """The candidates that open a session and whose favourite each is (see :func:`favourite_queue`): only
    from ``cands`` (never avoided, never held back), never a song against the mode (tier 0). ``profiles``
    have been scored (their ``fav_rows`` are set)."""
    by_index = {c[2]: c for c in cands}
    options = [
        (p.resident.resident_id, [i for i in p.fav_rows if i in by_index and tiers[i] > 0]) for p in profiles
    ]
    wanted = {song_ids[i] for _rid, rows in options for i in rows}
    heard = last_heard(history, wanted)
    for song_id, at in recently_played.items():
        if song_id in wanted and (song_id not in heard or as_utc(at) > heard[song_id]):
            heard[song_id] = as_utc(at)
    return [(by_index[i], rid) for i, rid in favourite_queue(options, song_ids, heard, rng)]


def artist_turn(
    cand: Cand,
    top: Sequence[Cand],
    same_rank: Sequence[Cand],
    fav_artist_rows: set[int],
    decades: Sequence[int | None],
    pick: Callable[[list[Cand]], Cand],
) -> Cand:
    """One song at a time: ``cand`` was drawn from ``top`` (the best rank, the last artist left out of it when
    possible; ``same_rank`` before that). A favourite artist's song goes before the other songs of its
    decade; when one is held back only to spread artists out, a song of a decade with none waiting (drawn
    with ``pick``) takes this turn."""
    waiting = {decades[c[2]] for c in same_rank if c[2] in fav_artist_rows}
    decade = decades[cand[2]]
    if cand[2] in fav_artist_rows or decade not in waiting:
        return cand
    ready = [c for c in top if c[2] in fav_artist_rows and decades[c[2]] == decade]
    if ready:
        return max(ready, key=lambda c: c[1])
    free = [c for c in top if c[2] in fav_artist_rows or decades[c[2]] not in waiting]
    return pick(free) if free else cand
