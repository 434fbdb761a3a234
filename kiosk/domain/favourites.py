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
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kiosk.domain.learning import as_utc

FIRST_SLOTS = 3  # favourites go within the first three songs of a session
_NEVER = datetime.min.replace(tzinfo=UTC)


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
    keyed: list[tuple[int, float, int, float]], fav_artist_rows: set[int], decade_of: Sequence[str | None]
) -> list[tuple[int, float, int, float]]:
    """Sampling keys ``(rank, key, index, weight)`` re-dealt so that, within each rank and decade, songs by a
    favourite artist hold the best keys: they come before every other song of their decade, while each
    decade keeps the places the era weights gave it."""
    if not fav_artist_rows:
        return keyed
    groups: dict[tuple[int, str | None], list[int]] = {}
    for pos, (rank, _key, index, _w) in enumerate(keyed):
        groups.setdefault((rank, decade_of[index]), []).append(pos)
    out = list(keyed)
    for positions in groups.values():
        favs = [p for p in positions if keyed[p][2] in fav_artist_rows]
        if not favs or len(favs) == len(positions):
            continue
        keys = sorted((keyed[p][1] for p in positions), reverse=True)
        order = sorted(favs, key=lambda p: -keyed[p][1]) + sorted(
            (p for p in positions if keyed[p][2] not in fav_artist_rows), key=lambda p: -keyed[p][1]
        )
        for key, p in zip(keys, order, strict=True):
            rank, _old, index, weight = keyed[p]
            out[p] = (rank, key, index, weight)
    return out
