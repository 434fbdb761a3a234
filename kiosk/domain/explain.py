"""Why a song was chosen, as plain sentences a care worker can read (pure).

Selection records *what* made a song fit as :class:`Why` items (which resident, which year, how old they were);
:func:`explain` turns them into sentences. With names ("One of Mary's favourites. From 1954, when Mary was 16.")
for staff screens and ``kiosk playlist --explain``; without (``names`` empty: "One of their favourites. From
1954, when they were 16.") for the journal, which never holds a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Why:
    """One reason a song was chosen. ``kind`` is one of:

    ``favourite_first`` (a favourite song placed at the start of the session), ``favourite_song``,
    ``favourite_artist``, ``favourite_genre``, ``youth`` / ``age`` / ``before_birth`` (the song's year against
    the resident's birth year), ``year_unknown``, ``enjoyed``, ``skipped``, ``group`` (suits ``count`` of
    ``total`` listeners), ``outside_mode`` (``text`` = the mode word), ``no_profile``.
    """

    kind: str
    resident_id: str = ""
    year: int | None = None
    age: int | None = None
    text: str = ""  # the artist, genre or mode word the reason is about
    count: int = 0
    total: int = 0


class _Person:
    """A resident's name in a sentence, or "they" when there is no name (the journal)."""

    def __init__(self, name: str):
        self.name = name

    @property
    def subject(self) -> str:
        return self.name or "they"

    @property
    def possessive(self) -> str:
        return f"{self.name}'s" if self.name else "their"

    def verb(self, singular: str, plural: str) -> str:
        return f"{self.subject} {singular if self.name else plural}"


def _sentence(why: Why, person: _Person) -> str:
    kind = why.kind
    if kind == "favourite_first":
        return f"One of {person.possessive} favourites, played early in the session"
    if kind == "favourite_song":
        return f"One of {person.possessive} favourites"
    if kind == "favourite_artist":
        who = why.text or "This artist"
        return f"{who} is one of {person.possessive} favourite artists"
    if kind == "favourite_genre":
        kind_of_music = why.text.strip().capitalize() or "This kind of music"
        return f"{kind_of_music} is one of {person.possessive} favourite kinds of music"
    if kind in ("youth", "age"):
        return f"From {why.year}, when {person.verb('was', 'were')} {why.age}"
    if kind == "before_birth":
        return f"From {why.year}, before {person.verb('was', 'were')} born"
    if kind == "year_unknown":
        return "Its year is not known"
    if kind == "enjoyed":
        return f"{person.verb('enjoyed', 'enjoyed')} it before"
    if kind == "skipped":
        return f"{person.verb('has', 'have')} often skipped it"
    if kind == "group":
        return f"Suits {why.count} of the {why.total} listeners"
    if kind == "outside_mode":
        return f"Not marked {why.text}: there are too few {why.text} songs"
    if kind == "no_profile":
        return "No profile: any era"
    return kind


def explain(whys: Iterable[Why], names: Mapping[str, str] | None = None) -> str:
    """Plain sentences for ``whys``: ``names`` maps resident_id -> the name to use (the preferred name);
    a resident not in it is "they"."""
    names = names or {}
    seen: set[str] = set()
    out: list[str] = []
    for why in whys:
        text = _sentence(why, _Person(names.get(why.resident_id, "")))
        if text not in seen:
            seen.add(text)
            out.append(text[0].upper() + text[1:] + ".")
    return " ".join(out)
