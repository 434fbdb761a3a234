"""A plain song source: a seeded shuffle over a list of songs.

Used by ``kiosk simulate``, the benchmarks and tests, and as the fallback when no resident selection is wired.
The real choice of songs for residents is :mod:`kiosk.domain.selection` (adapted to :class:`SongSource`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from kiosk.domain.models import Mode, Song


class ShuffleSource:
    """Implements :class:`kiosk.domain.ports.SongSource` (and, called, :class:`kiosk.domain.ports.SongSourceFactory`)."""

    def __init__(self, songs: Sequence[Song], seed: int = 0):
        self.songs = [s for s in songs if not s.suspect]
        self.rng = random.Random(seed)

    def __call__(self, resident_ids: tuple[str, ...], mode: Mode | None) -> ShuffleSource:
        return self

    def next_song(self, exclude_ids: set[str]) -> tuple[Song, str] | None:
        pool = [s for s in self.songs if s.song_id not in exclude_ids]
        return (self.rng.choice(pool), "shuffle") if pool else None

    def song_for_decade(self, decade: str, exclude_ids: set[str]) -> tuple[Song, str] | None:
        pool = [s for s in self.songs if s.decade == decade and s.song_id not in exclude_ids]
        return (self.rng.choice(pool), f"dial {decade}") if pool else None
