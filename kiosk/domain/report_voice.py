"""Do introductions change how songs are received? Completion and like rates of plays with and without one.

Pure, over session rollup documents (their ``plays``; a play the gentle voice introduced has ``intro: true``,
from the journal's ``song_start`` detail). So a home decides from its own data whether introductions help.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlayRates:
    plays: int = 0
    completed: int = 0
    liked: int = 0

    @property
    def completed_pct(self) -> float | None:
        return None if not self.plays else 100.0 * self.completed / self.plays

    @property
    def liked_pct(self) -> float | None:
        return None if not self.plays else 100.0 * self.liked / self.plays


def intro_comparison(sessions: Iterable[Mapping[str, Any]]) -> tuple[PlayRates, PlayRates]:
    """(plays introduced, plays not introduced) over the sessions' plays (failed plays left out)."""
    counts = {True: [0, 0, 0], False: [0, 0, 0]}
    for session in sessions:
        for play in session.get("plays") or ():
            if play.get("outcome") == "failed":
                continue
            row = counts[play.get("intro") is True]
            row[0] += 1
            row[1] += play.get("outcome") == "completed"
            row[2] += bool(play.get("liked"))
    return PlayRates(*counts[True]), PlayRates(*counts[False])


def intro_lines(sessions: Iterable[Mapping[str, Any]]) -> list[str]:
    """Two plain lines for a report (none when no song was introduced)."""
    with_intro, without = intro_comparison(sessions)
    if not with_intro.plays:
        return []

    def line(label: str, r: PlayRates) -> str:
        return f"{label}: {r.plays} plays, {r.completed_pct or 0:.0f}% heard to the end, {r.liked_pct or 0:.0f}% liked"

    return [line("Songs introduced by the voice", with_intro), line("Songs without an introduction", without)]
