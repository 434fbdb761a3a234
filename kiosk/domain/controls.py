"""The resident controls in one table, and the tremor rule every input shares. Pure.

A control is one thing a resident (or staff, at the cabinet) can ask of the music: Pause/Play, Another song,
I like this, Louder, Quieter, Stop, This song upsets, and the staff door. Each row of :data:`CONTROLS` says
what the control is called on the screen (``name``, the now playing button ``c_<name>``) and in kiosk.toml
(``action``: ``[gpio.pins]``, ``[gpio.leds]``, ``staff_hold``), which engine intent a press posts, its words
and icons (on its button and as the feedback after a press), the desktop keys that stand in for its arcade
button, and the instrument its button plays in Play along. The now playing screen and its presenter, the
keyboard (:mod:`kiosk.ui.keyboard`), the arcade buttons (:mod:`kiosk.domain.buttons`, the gpiozero adapter)
and Play along (:mod:`kiosk.domain.play_along`) all read this table when they act, never a copy of it: a new
row is all the keyboard and the buttons need (a screen button also needs its place in now_playing.kv).

Words are English, the source language; the UI translates them when it shows them (``kiosk.ui.i18n._``), and
``make i18n-extract`` reads them here (the :func:`N_` marks).

The tremor rule (DEMENTIA_UX.md): presses of the same control closer than :data:`REPEAT_S` count once.
:class:`RepeatFilter` is that rule, used by the screen's buttons (``kiosk.ui.touch.TapFilter``) and by the
session engine (buttons, keyboard and touch alike); a Play along pad passes its own shorter window.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass

from kiosk.domain.intents import Intent, SessionView, Status

REPEAT_S = 0.4  # presses of one control closer than this count once (tremor, a leaning palm)


def N_(message: str) -> str:
    """Mark a word for the translators (``xgettext --keyword=N_``); the UI translates it where it shows it."""
    return message


@dataclass(frozen=True)
class Look:
    """A word with its icon (a name in ``kiosk.ui.icons.ICONS``)."""

    word: str
    icon: str


Rule = Callable[[SessionView], bool]
LimitRule = Callable[[SessionView, SessionView], bool]  # (view before the press, view after it)


@dataclass(frozen=True)
class Control:
    """One control, as every input and output knows it. See the module docstring."""

    name: str  # the screen's stable id (button ``c_<name>`` in now_playing.kv, the tap filter's key)
    intent: Intent | None  # what a press posts to the engine; None: handled outside the engine (staff)
    action: str = ""  # its name in kiosk.toml ([gpio.pins], [gpio.leds], staff_hold); "": no arcade button
    slot: int | None = None  # its place on the now playing control bar, left to right; None: not on screen
    button: Look | None = None  # the screen button's word and icon ...
    button_lit: Look | None = None  # ... while it is lit (see ``lit``); None: the same as ``button``
    lit: Rule | None = None  # when its button is lit (paused: Play is the way back to music; liked)
    said: Look | None = None  # the feedback beside the volume after a press (None: the button's look) ...
    said_lit: Look | None = None  # ... when the press left it lit; None: the same as ``said``
    limit_word: str = ""  # the true answer when a press could do nothing ("That is as loud as it goes")
    at_limit: LimitRule | None = None  # whether it could do nothing (then ``limit_word`` is said)
    keys: tuple[str, ...] = ()  # desktop keys standing in for its arcade button: a character or a key name
    instrument: str = ""  # Play along: what its arcade button plays while a song plays ("": keeps its action)

    def look(self, lit: bool) -> Look | None:
        """The button's word and icon, lit or not."""
        return (self.button_lit or self.button) if lit else self.button

    def feedback(self, lit: bool) -> Look | None:
        """What the screen says after a press that left the control ``lit`` (or not)."""
        said = self.said or self.button
        return (self.said_lit or said) if lit else said


def _paused(view: SessionView) -> bool:
    return view.status is Status.PAUSED


def _liked(view: SessionView) -> bool:
    return view.song is not None and view.song.liked


def _at_loudest(before: SessionView, _after: SessionView) -> bool:
    return before.volume_pct >= before.volume_cap_pct  # already at the resident's limit


def _at_quietest(before: SessionView, after: SessionView) -> bool:
    return after.volume_pct >= before.volume_pct  # the press brought nothing down


# THE table. Its order is the order kiosk.toml's actions are listed in messages; the screen orders by ``slot``.
CONTROLS: tuple[Control, ...] = (
    Control(
        "play_pause",
        Intent.PLAY_PAUSE,
        "play_pause",
        slot=0,
        button=Look(N_("Pause"), "pause"),
        button_lit=Look(N_("Play"), "play"),
        lit=_paused,
        said=Look(N_("Playing"), "play"),
        said_lit=Look(N_("Paused"), "pause"),
        keys=("spacebar",),
        instrument="tambourine",
    ),
    Control(
        "next",
        Intent.NEXT,
        "next",
        slot=1,
        button=Look(N_("Another song"), "next"),
        keys=("right",),
        instrument="shaker",
    ),
    Control(
        "like",
        Intent.LIKE,
        "like",
        slot=2,
        button=Look(N_("I like this"), "heart"),
        button_lit=Look(N_("I like it!"), "heart_full"),
        lit=_liked,
        said=Look(N_("I like it!"), "heart_full"),
        keys=("l",),
        instrument="woodblock",
    ),
    Control(
        "louder",
        Intent.VOLUME_UP,
        "volume_up",
        slot=4,
        button=Look(N_("Louder"), "louder"),
        limit_word=N_("That is as loud as it goes"),
        at_limit=_at_loudest,
        keys=("+", "=", "numpadadd"),  # "=": the "= +" key of a US/UK keyboard, with or without Shift
        instrument="bell",
    ),
    Control(
        "quieter",
        Intent.VOLUME_DOWN,
        "volume_down",
        slot=3,
        button=Look(N_("Quieter"), "quieter"),
        limit_word=N_("That is as quiet as it goes"),
        at_limit=_at_quietest,
        keys=("-", "numpadsubstract"),  # Kivy's own spelling
        instrument="drum",
    ),
    Control("stop", Intent.STOP, "stop"),
    Control("distress", Intent.DISTRESS, "distress"),  # "This song upsets": stop now, ask staff later
    Control("staff", None, "staff"),  # held: asks the UI for the staff PIN screen (kiosk.domain.buttons_hold)
)


def all_controls() -> tuple[Control, ...]:
    """The table as it is now: inputs read it through this module at each use, never through a copy."""
    return CONTROLS


def named(name: str) -> Control:
    """The control called ``name`` on the screen (KeyError for an unknown name)."""
    for control in CONTROLS:
        if control.name == name:
            return control
    raise KeyError(name)


def by_action(action: str) -> Control | None:
    """The control whose arcade button does ``action`` (its kiosk.toml name), or None."""
    for control in CONTROLS:
        if control.action and control.action == action:
            return control
    return None


def on_screen() -> list[Control]:
    """The now playing control bar, left to right."""
    placed = [c for c in CONTROLS if c.slot is not None]
    return sorted(placed, key=lambda c: c.slot if c.slot is not None else 0)


class Actions(Mapping[str, Intent | None]):
    """The kiosk.toml action names -> the intent each posts, read from :data:`CONTROLS` at every look-up."""

    def __getitem__(self, action: str) -> Intent | None:
        control = by_action(action)
        if control is None:
            raise KeyError(action)
        return control.intent

    def __iter__(self) -> Iterator[str]:
        return iter([c.action for c in CONTROLS if c.action])

    def __len__(self) -> int:
        return sum(1 for c in CONTROLS if c.action)


class RepeatFilter:
    """Presses of the same control within ``window_s`` count once (a shaking hand, a leaning palm).

    Keyed by anything hashable (a control name on the screen; (intent, source) in the engine), so "Louder"
    then "Quieter" in quick succession both count. ``now`` is a monotonic clock in seconds.
    """

    def __init__(self, window_s: float = REPEAT_S, *, now: Callable[[], float]):
        self.window_s = window_s
        self._now = now
        self._last: dict[Hashable, float] = {}

    def accept(self, key: Hashable, window_s: float | None = None) -> bool:
        """Whether this press counts. ``window_s``: this control's own window (a Play along pad: a bounce)."""
        t = self._now()
        last = self._last.get(key)
        window = self.window_s if window_s is None else window_s
        if last is not None and t - last < window:
            return False
        self._last[key] = t
        return True
