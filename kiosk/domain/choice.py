"""What selection hands out: a :class:`Choice` (a song, why, how strongly) and a :class:`Playlist` of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.explain import Why, explain
from kiosk.domain.models import Mode, Song


@dataclass(frozen=True)
class Choice:
    """One chosen song and a short human reason (no names: reasons go into the journal). ``why`` holds the
    reasons as data, for :func:`kiosk.domain.explain.explain` to put into sentences with residents' names."""

    song: Song
    reason: str
    score: float = 0.0
    widened: bool = False  # chosen outside the mode (too few fitting songs), or unknown year as last resort
    why: tuple[Why, ...] = field(default=(), compare=False)

    def explain(self, names: Mapping[str, str] | None = None) -> str:
        """Plain sentences with ``names`` (resident_id -> preferred name): "One of Mary's favourites."."""
        return explain(self.why, names) if self.why else self.reason

    def to_dict(self) -> dict[str, Any]:
        s = self.song
        return {
            "song_id": s.song_id,
            "title": s.title,
            "artist": s.artist,
            "year": s.year,
            "decade": s.decade,
            "path": s.path,
            "reason": self.reason,
            "score": round(self.score, 6),
            "widened": self.widened,
            "themes": list(s.themes),
        }


class Playlist(list[Choice]):
    """A list of choices, plus the mode used, where the mode came from, and notes for staff."""

    def __init__(
        self, choices: Iterable[Choice] = (), *, mode: Mode, mode_source: str, notes: Sequence[str] = ()
    ) -> None:
        super().__init__(choices)
        self.mode = mode
        self.mode_source = mode_source
        self.notes = list(notes)
