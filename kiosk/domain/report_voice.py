"""Do introductions change how songs are received? Completion and like rates of plays with and without one.

Pure, over session rollup documents (their ``plays``; a play the gentle voice introduced has ``intro: true``,
from the journal's ``song_start`` detail). So a home decides from its own data whether introductions help.

A report adds these up cheaply: only the introduced plays are counted here (a session with none costs one
C-level ``any``); the plays without an introduction are the report's play totals minus those. A month digest
keeps its introduced counts as ``intro: [plays, completed, liked]``.

The wording is honest about what such figures can say: counts beside every percentage, "too few to tell"
below :data:`MIN_PLAYS` on either side, a difference called larger than chance only past a 95 % margin, and
always the reminder that this is not a trial (introductions are said only for residents with the voice on).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import methodcaller
from typing import Any

MIN_PLAYS = 30  # fewer plays than this on either side: too few to tell anything
_INTRO = methodcaller("get", "intro")


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


@dataclass(frozen=True)
class IntroComparison:
    """The plays (failed ones left out) with an introduction and without one."""

    introduced: PlayRates
    not_introduced: PlayRates


def intro_comparison(sessions: Iterable[Mapping[str, Any]]) -> tuple[PlayRates, PlayRates]:
    """(plays introduced, plays not introduced) over full rollups' plays (failed plays left out)."""
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


def introduced_counts(plays: Sequence[Mapping[str, Any]]) -> list[int] | None:
    """``[plays, completed, liked]`` of the introduced plays among ``plays`` (failed left out); None if none."""
    try:
        if not any(map(_INTRO, plays)):
            return None
    except (AttributeError, TypeError):  # a damaged rollup: a play that is not an object
        plays = [p for p in plays if isinstance(p, Mapping)]
    out = [0, 0, 0]
    for p in plays:
        if p.get("intro") is True and p.get("outcome") != "failed":
            out[0] += 1
            out[1] += p.get("outcome") == "completed"
            out[2] += bool(p.get("liked"))
    return out if out[0] else None


def add_counts(into: list[int], more: Sequence[Any] | None) -> None:
    """Add ``[plays, completed, liked]`` (from :func:`introduced_counts` or a digest) into ``into``."""
    if more:
        for i in range(3):
            into[i] += int(more[i])


def totals_of(counts: Mapping[tuple[str, str, bool], int]) -> PlayRates:
    """All plays of a report's (song, outcome, liked) counts, failed ones left out."""
    plays = completed = liked = 0
    for (_song, outcome, was_liked), n in counts.items():
        if outcome != "failed":
            plays += n
            completed += n if outcome == "completed" else 0
            liked += n if was_liked else 0
    return PlayRates(plays, completed, liked)


def comparison(totals: PlayRates, introduced: Sequence[int]) -> IntroComparison | None:
    """Split a report's play totals (failed left out) by the introduced counts; None when none was introduced."""
    if not introduced or not introduced[0]:
        return None
    with_ = PlayRates(*introduced)
    without = PlayRates(
        max(0, totals.plays - with_.plays),
        max(0, totals.completed - with_.completed),
        max(0, totals.liked - with_.liked),
    )
    return IntroComparison(with_, without)


def _rates_line(label: str, r: PlayRates) -> str:
    if not r.plays:
        return f"  {label}: no plays"
    return (
        f"  {label}: {r.plays} play{'s' if r.plays != 1 else ''}, {r.completed} heard to the end "
        f"({r.completed_pct:.0f}%), {r.liked} liked ({r.liked_pct:.0f}%)"
    )


def _verdict(what: str, a: int, b: int, n_a: int, n_b: int) -> str:
    """One sentence on one rate: a difference past the 95 % margin of two proportions, or about the same."""
    p_a, p_b = a / n_a, b / n_b
    diff = 100.0 * (p_a - p_b)
    margin = 100.0 * 1.96 * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    if abs(diff) <= max(margin, 0.5):
        return (
            f"  {what}: about the same (a difference of {abs(diff):.0f} points is within what chance gives)"
        )
    more = "more" if diff > 0 else "less"
    return (
        f"  {what}: {more} often with an introduction ({diff:+.0f} points, more than chance alone "
        f"would usually give: +/- {margin:.0f})"
    )


def intro_lines(comp: IntroComparison | None) -> list[str]:
    """The comparison in plain words for a report (none when no song was introduced)."""
    if comp is None or not comp.introduced.plays:
        return []
    a, b = comp.introduced, comp.not_introduced
    lines = [
        "Song introductions by the voice:",
        _rates_line("introduced", a),
        _rates_line("not introduced", b),
    ]
    if min(a.plays, b.plays) < MIN_PLAYS:
        lines.append(
            f"  Too few plays to tell whether introductions help (fewer than {MIN_PLAYS} on one side): "
            "differences this small can be chance. Look again when there are more."
        )
    else:
        lines.append(_verdict("Heard to the end", a.completed, b.completed, a.plays, b.plays))
        lines.append(_verdict("Liked", a.liked, b.liked, a.plays, b.plays))
    lines.append(
        "  These are the home's own figures, not a trial: songs are introduced only for residents with the "
        "voice on, who may differ from the others."
    )
    return lines
