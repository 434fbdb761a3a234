"""Themes: what a song is about, in a small fixed vocabulary staff can name in an avoid list (pure).

Staff know residents' triggers as subjects ("no war songs", "nothing about mothers"), not as titles. A song's
themes come from three places, and add up (the safe side: more themes, more songs left out when avoided):

- ``era.toml`` sidecars: ``themes = ["war"]`` for a folder (and its subfolders) or one file;
- the genre tag, by :data:`GENRE_WORDS` (genre "Hymn" -> religion, "Wartime song" -> war);
- album and folder names, by :data:`FOLDER_WORDS` ("Wartime Favourites" -> war, "Songs of Praise" -> religion).

Titles are not read for themes: a title says too little ("Danny Boy" is about a son leaving and a death, which
no word in it says), and a word such as "mother" in a title already matches an avoid keyword.

Every name staff write (sidecar, ``avoid_themes`` column, ``--theme``) goes through :func:`theme_named`, which
also knows the everyday words for each theme ("hymns" -> religion, "mothers" -> home and family).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kiosk.domain.matching import norm


@dataclass(frozen=True)
class Theme:
    """One theme: its name (what is stored and shown), what it covers, why staff avoid it, other words."""

    name: str
    covers: str
    why: str
    words: tuple[str, ...]  # other names staff use for it (normalised on lookup)


THEMES: tuple[Theme, ...] = (
    Theme(
        "war",
        "songs of the World Wars and of soldiering: wartime favourites, marches sung by the troops, songs of the "
        "home front and of sweethearts away at war",
        "can bring back air raids, evacuation, or someone who did not come home",
        ("wars", "wartime", "war songs", "war time", "army", "soldiers", "military", "forces", "the blitz"),
    ),
    Theme(
        "religion",
        "hymns, carols, psalms, gospel and other sacred songs",
        "a resident of another faith, or none, may find them unwelcome; for some they are tied to funerals",
        ("religious", "hymn", "hymns", "church", "sacred", "gospel", "carols", "carol", "psalms", "faith"),
    ),
    Theme(
        "bereavement",
        "death, mourning, funerals, laments and songs of remembrance",
        "a recent loss, or an old grief that the song reopens",
        ("death", "dying", "grief", "mourning", "loss", "funeral", "funerals", "lament", "laments"),
    ),
    Theme(
        "heartbreak",
        "lost or unrequited love, unfaithfulness, loneliness, a love that ended",
        "a painful divorce or a partner who left or died",
        ("lost love", "broken heart", "break up", "breakup", "unrequited love", "torch songs"),
    ),
    Theme(
        "home and family",
        "mothers, fathers, children, the family home, going home",
        "can stir longing for people or a home that are gone, or the wish to 'go home' that distresses "
        "many people with dementia",
        ("home", "family", "mother", "mothers", "mum", "mam", "father", "fathers", "children", "motherhood"),
    ),
    Theme(
        "drinking",
        "drinking songs, pubs, whisky and beer",
        "a resident with a history of drinking problems, or a family hurt by it",
        ("drink", "drinks", "alcohol", "pub", "pubs", "pub songs", "drinking songs", "whisky", "beer"),
    ),
    Theme(
        "trains and leaving",
        "departures and farewells: trains, ships, emigration, leaving home, long goodbyes",
        "can set off the wish to leave or to go and find someone, or the grief of a family scattered",
        (
            "leaving",
            "trains",
            "train",
            "goodbyes",
            "farewell",
            "farewells",
            "emigration",
            "partings",
            "parting",
        ),
    ),
    Theme(
        "lullabies",
        "lullabies and cradle songs, songs sung to babies",
        "can feel childish to some; for others they recall a child who died",
        ("lullaby", "cradle songs", "cradle song", "nursery", "bedtime songs"),
    ),
)
THEME_NAMES: tuple[str, ...] = tuple(t.name for t in THEMES)

# Genre tag words -> theme (whole words, after matching.norm). A song can get several.
GENRE_WORDS: dict[str, str] = {
    "wartime": "war",
    "war song": "war",
    "military": "war",
    "hymn": "religion",
    "hymns": "religion",
    "gospel": "religion",
    "spiritual": "religion",
    "sacred": "religion",
    "carol": "religion",
    "carols": "religion",
    "psalm": "religion",
    "psalms": "religion",
    "religious": "religion",
    "christian": "religion",
    "lament": "bereavement",
    "requiem": "bereavement",
    "dirge": "bereavement",
    "funeral": "bereavement",
    "torch song": "heartbreak",
    "drinking song": "drinking",
    "drinking songs": "drinking",
    "train song": "trains and leaving",
    "railroad song": "trains and leaving",
    "emigration": "trains and leaving",
    "lullaby": "lullabies",
    "lullabies": "lullabies",
    "cradle song": "lullabies",
}

# Album and folder name words -> theme ("Wartime Favourites", "Songs of Praise", "Irish Drinking Songs").
FOLDER_WORDS: dict[str, str] = {
    "war": "war",
    "wartime": "war",
    "war years": "war",
    "forces favourites": "war",
    "the blitz": "war",
    "home front": "war",
    "hymn": "religion",
    "hymns": "religion",
    "songs of praise": "religion",
    "gospel": "religion",
    "carols": "religion",
    "sacred": "religion",
    "requiem": "bereavement",
    "laments": "bereavement",
    "remembrance": "bereavement",
    "drinking songs": "drinking",
    "pub songs": "drinking",
    "lullabies": "lullabies",
    "lullaby": "lullabies",
    "cradle songs": "lullabies",
}

_BY_WORD: dict[str, str] = {}
for _theme in THEMES:
    _BY_WORD[norm(_theme.name)] = _theme.name
    for _word in _theme.words:
        _BY_WORD.setdefault(norm(_word), _theme.name)


def theme_named(text: str) -> str | None:
    """The theme a name stands for (``"Hymns"`` -> ``"religion"``, ``"home & family"`` -> ``"home and
    family"``), or None when it is not one of :data:`THEMES` or their words."""
    key = norm(text.replace("&", " and "))
    return _BY_WORD.get(key)


def theme(name: str) -> Theme:
    """The :class:`Theme` called ``name`` (a canonical name from :data:`THEME_NAMES`)."""
    for t in THEMES:
        if t.name == name:
            return t
    raise KeyError(name)


def did_you_mean(text: str) -> str | None:
    """A theme that ``text`` probably means, for a hint: a theme word inside it (``"war songs"`` -> war,
    ``"anything about mothers"`` -> home and family), else a close spelling (``"religon"`` -> religion)."""
    key = norm(text.replace("&", " and "))
    if not key:
        return None
    exact = _BY_WORD.get(key)
    if exact:
        return exact
    padded = f" {key} "
    hits = [(len(w), name) for w, name in _BY_WORD.items() if f" {w} " in padded]
    if hits:
        return max(hits)[1]
    close = difflib.get_close_matches(key, list(_BY_WORD), n=1, cutoff=0.88)
    return _BY_WORD[close[0]] if close else None


def unknown_theme_message(text: str) -> str:
    """What to tell staff who wrote a theme the kiosk does not know."""
    guess = did_you_mean(text)
    hint = f"did you mean {guess!r}? " if guess else ""
    return f"{text!r} is not a theme ({hint}themes: {', '.join(THEME_NAMES)})"


def parse_themes(items: Iterable[str]) -> tuple[tuple[str, ...], list[str]]:
    """Canonical theme names of ``items`` (order kept, duplicates once) and a message per unknown one."""
    found: dict[str, None] = {}
    problems: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        name = theme_named(text)
        if name is None:
            problems.append(unknown_theme_message(text))
        else:
            found.setdefault(name, None)
    return tuple(found), problems


def _words_in(text: str, table: dict[str, str]) -> set[str]:
    padded = f" {norm(text)} "
    if padded == "  ":
        return set()
    return {name for word, name in table.items() if f" {word} " in padded}


@functools.lru_cache(maxsize=4096)
def _genre_themes(text: str) -> frozenset[str]:
    """(A scan asks for the same genres, albums and folders thousands of times: computed once each.)"""
    return frozenset(_words_in(text, GENRE_WORDS))


@functools.lru_cache(maxsize=16384)
def _folder_themes(text: str) -> frozenset[str]:
    return frozenset(_words_in(text, FOLDER_WORDS))


def infer_themes(
    *,
    genre: str = "",
    album: str = "",
    folder_names: Sequence[str] = (),
    sidecar_themes: Iterable[str] = (),
) -> tuple[str, ...]:
    """A song's themes: sidecar themes + genre words + album and folder words, in :data:`THEMES` order."""
    found = set(sidecar_themes) & set(THEME_NAMES)
    found |= _genre_themes(genre)
    for name in (album, *folder_names):
        found |= _folder_themes(name)
    return tuple(n for n in THEME_NAMES if n in found)
