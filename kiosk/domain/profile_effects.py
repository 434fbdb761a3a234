"""What profiles do to the current library, in sentences staff can check before they import: what each avoid
entry removes (a count and a few titles), every entry that matches no song (a warning), and the first songs
the resident would hear.

The matching is the selector's own (:class:`kiosk.domain.songfit.AvoidRules`), one entry at a time, so what
is shown is what will happen; any ``avoid_*`` field of a profile counts (themes included once they exist).
``hint`` lets the themes vocabulary add "did you mean the theme 'war'?" to an entry that matches nothing.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.domain.models import Resident, Song
from kiosk.domain.profile_changes import AVOID_FIELDS
from kiosk.domain.scoring import Columns
from kiosk.domain.selection import select_playlist
from kiosk.domain.songfit import AvoidRules

TITLES_SHOWN = 3
FIRST_SONGS = 3
DETAILED_MAX = 50  # residents described in full; beyond this, only the warnings

Hint = Callable[[str, str], str]  # (field, entry) -> " did you mean ...?" or ""


def no_hint(_field: str, _entry: str) -> str:
    return ""


@dataclass
class Effects:
    """Lines for staff: ``warnings`` (entries matching no song: shown by import and dry run alike) and
    ``details`` (what each entry removes, first songs: the dry run's)."""

    warnings: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def _song(song: Song) -> str:
    return f"{song.title} ({song.year})" if song.year else song.title


def _blank_avoids(resident: Resident) -> Resident:
    return dataclasses.replace(resident, **{name: () for name in AVOID_FIELDS})


class _Library:
    def __init__(self, songs: Sequence[Song]):
        self.songs = list(songs)
        self.columns = Columns(self.songs)
        self.cache: dict[tuple[str, str], list[int]] = {}

    def removed_by(self, resident: Resident, name: str, entry: str) -> list[int]:
        key = (name, entry.casefold())
        if key not in self.cache:
            one = dataclasses.replace(_blank_avoids(resident), **{name: (entry,)})
            self.cache[key] = sorted(AvoidRules.of([one]).blocked(self.columns))
        return self.cache[key]


def profile_effects(
    residents: Sequence[tuple[str, Resident]],
    songs: Sequence[Song],
    *,
    now: datetime,
    details: bool = True,
    hint: Hint = no_hint,
) -> Effects:
    """Effects of ``(label, resident)`` profiles on ``songs`` (the library as scanned now)."""
    out = Effects()
    if not songs:
        return out
    library = _Library(songs)
    for index, (label, resident) in enumerate(residents):
        detailed = details and index < DETAILED_MAX
        for name in AVOID_FIELDS:
            for entry in getattr(resident, name):
                rows = library.removed_by(resident, name, entry)
                if not rows:
                    out.warnings.append(f"{label}: {name} {entry!r} matches no song{hint(name, entry)}")
                elif detailed:
                    titles = ", ".join(library.songs[i].title for i in rows[:TITLES_SHOWN])
                    more = ", ..." if len(rows) > TITLES_SHOWN else ""
                    word = "song" if len(rows) == 1 else "songs"
                    out.details.append(f"{label}: {name} {entry!r} removes {len(rows)} {word}: {titles}{more}")
        if detailed:
            first = select_playlist(songs, [resident], count=FIRST_SONGS, rng=random.Random(0), now=now)
            heard = "; ".join(_song(c.song) for c in first) or "nothing (every song is avoided)"
            out.details.append(f"{label}: would hear first: {heard}")
    if details and len(residents) > DETAILED_MAX:
        out.details.append(f"(and {len(residents) - DETAILED_MAX} more residents, not described here)")
    return out
