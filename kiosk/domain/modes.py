"""Therapy modes: one :class:`ModeSpec` per mode, kept in one registry. Pure.

A mode is everything that varies by it: its name (journal, kiosk.toml schedules, the tiles' control ids), the
word and icon of its tile, the rule that says how well a song fits it, how calm it is (when group members'
schedules disagree), whether it needs songs with a beat grid, whether the pads and arcade buttons become
instruments, what the gentle voice does in it, and its panel on the now playing screen (a .kv file). Everything
else asks the spec, never ``if mode is ...``. A new mode is one spec in :data:`BUILT_IN` plus one panel file
(``kiosk/ui/screens/mode_panels/<name>.kv``); :func:`register` adds one at run time (the tests do).

:class:`Mode` is the mode's name as a value (``Mode("relax") is Mode.RELAX``), like the enum it replaced:
iterating ``Mode`` gives the registered modes in tile order, an unknown name raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from kiosk.domain.models import Song


def N_(message: str) -> str:
    """Mark a word for translation (``make i18n-extract``); the UI translates it where it is shown."""
    return message


@dataclass(frozen=True)
class ModeSpec:
    """What one therapy mode is. Only ``name``, ``word`` and ``icon`` are needed; the rest defaults to Listen's."""

    name: str  # lower-case letters, digits and "_": stored in the journal, written in kiosk.toml schedules
    word: str  # the tile's word, in English (marked with N_; translated where it is shown)
    icon: str  # the tile's picture: a name in kiosk.ui.icons.ICONS
    # How well a song fits: 2 fits, 1 unknown or neutral, 0 contrary (played only when the others run out).
    # None: every song fits.
    fit: Callable[[Song], int] | None = None
    fit_word: str = ""  # what a fitting song is ("calm"), for "only 3 songs are marked calm" in --explain
    calm_rank: int = 50  # when group members' schedules disagree, the mode with the lowest rank plays
    needs_beat_grid: bool = False  # only songs with a beat grid play; the tile shows only when there are some
    # While a song plays the screen's pads and the arcade buttons play percussion on the beat (Like gives
    # way to the pads; Stop, distress and the staff hold keep their actions; the LEDs keep their rules).
    plays_instruments: bool = False
    voice_imagery: bool = False  # the gentle voice speaks the imagery script (then no song introductions)
    voice_lyric_coach: bool = False  # the gentle voice speaks each lyric line just before it is sung
    panel: str = ""  # its panel .kv: "" = mode_panels/<name>.kv; a bare name there, or an absolute path


class _Modes(type):
    """``Mode``'s type: iterating the class gives the registered modes, in tile order."""

    def __iter__(cls) -> Iterator[Mode]:
        return iter(list(_MODES.values()))

    def __len__(cls) -> int:
        return len(_MODES)


class Mode(str, metaclass=_Modes):
    """A registered mode's name. ``Mode("relax")`` is the one ``Mode.RELAX``; an unknown name: ValueError."""

    __slots__ = ()
    LISTEN: ClassVar[Mode]
    RELAX: ClassVar[Mode]
    MOVE: ClassVar[Mode]
    SING: ClassVar[Mode]
    PLAY_ALONG: ClassVar[Mode]

    def __new__(cls, value: object) -> Mode:
        found = _MODES.get(str(value))
        if found is None:
            raise ValueError(f"{value!r} is not a mode (one of: {', '.join(_MODES)})")
        return found

    @property
    def value(self) -> str:
        """The name as plain text (as the enum's ``value`` was)."""
        return str.__str__(self)

    @property
    def spec(self) -> ModeSpec:
        return _SPECS[self.value]

    def __repr__(self) -> str:
        return f"Mode({self.value!r})"


_MODES: dict[str, Mode] = {}
_SPECS: dict[str, ModeSpec] = {}
_generation = [0]  # counts changes to the registry, so caches of parsed modes know when to look again


def generation() -> int:
    """How many times the registry has changed (a cache key for anything that parsed mode names)."""
    return _generation[0]


def register(spec: ModeSpec) -> Mode:
    """Add a mode (at start-up, or a test's throwaway mode) and return its :class:`Mode`."""
    name = spec.name
    if not name or not name.replace("_", "").isalnum() or not name.islower() or not name.isascii():
        raise ValueError(f"a mode's name is lower-case letters, digits and '_', got {name!r}")
    if name in _MODES:
        raise ValueError(f"there is already a mode called {name!r}")
    mode = str.__new__(Mode, name)
    _MODES[name] = mode
    _SPECS[name] = spec
    _generation[0] += 1
    return mode


def unregister(mode: Mode | str) -> None:
    """Take out a mode :func:`register` added (a test's throwaway mode); the built-in modes stay."""
    name = str(mode)
    if name in _BUILT_IN_NAMES:
        raise ValueError(f"{name!r} is a built-in mode")
    if _MODES.pop(name, None) is not None:
        _SPECS.pop(name, None)
        _generation[0] += 1


def spec_of(mode: Mode | str) -> ModeSpec:
    return Mode(mode).spec


def mode_word(name: str) -> str:
    """The mode's word as staff know it from its tile ("Play along"), for reports; a name that is no longer
    registered (an old journal's) reads as its words ("old_mode" -> "Old mode")."""
    spec = _SPECS.get(name)
    return spec.word if spec is not None else name.replace("_", " ").capitalize()


# --- the fit rules -------------------------------------------------------------------------------------------


def fits_relax(song: Song) -> int:
    """Calm or slow (<= 95 bpm) fits; upbeat or fast (>= 120 bpm) is contrary."""
    mood, bpm = song.mood, song.bpm
    if mood == "calm":
        return 2
    if mood == "upbeat":
        return 0
    if bpm is not None:
        return 2 if bpm <= 95 else (0 if bpm >= 120 else 1)
    return 1


def fits_move(song: Song) -> int:
    """Upbeat or quick (>= 110 bpm) fits; calm or slow (<= 85 bpm) is contrary."""
    mood, bpm = song.mood, song.bpm
    if mood == "upbeat":
        return 2
    if mood == "calm":
        return 0
    if bpm is not None:
        return 2 if bpm >= 110 else (0 if bpm <= 85 else 1)
    return 1


def fits_sing(song: Song) -> int:
    """Songs with lyrics fit; the others are neutral (the screen says it has no words for them)."""
    return 2 if song.has_lyrics else 1


def fits_play_along(song: Song) -> int:
    """Songs with a beat grid; the others never play (``needs_beat_grid`` makes it a hard filter)."""
    return 2 if song.has_beat_grid else 0


# Tile order. The panels: kiosk/ui/screens/mode_panels/<name>.kv.
BUILT_IN = (
    ModeSpec("listen", N_("Listen"), "note", calm_rank=1),  # the reminiscence mix
    ModeSpec("relax", N_("Relax"), "leaf", fits_relax, "calm", calm_rank=0, voice_imagery=True),
    ModeSpec("move", N_("Move"), "move", fits_move, "upbeat", calm_rank=3),
    ModeSpec("sing", N_("Sing along"), "sing", fits_sing, "singable", calm_rank=2, voice_lyric_coach=True),
    ModeSpec(
        "play_along",
        N_("Play along"),
        "play_along",
        fits_play_along,
        "with a beat to play along to",
        calm_rank=4,
        needs_beat_grid=True,
        plays_instruments=True,
    ),
)
_BUILT_IN_NAMES = frozenset(s.name for s in BUILT_IN)
for _spec in BUILT_IN:
    setattr(Mode, _spec.name.upper(), register(_spec))
