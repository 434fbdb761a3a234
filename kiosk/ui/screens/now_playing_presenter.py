"""Now playing: the song in very large type and the five resident controls, always in the same place.

Controls (left to right, never reordered): Pause/Play, Another song, I like this, Quieter, Louder. The liked
state shows at once (before the engine's snapshot comes back). Feedback is true: Louder at the resident's
limit says so instead of "Louder"; while paused, Play is lit (the way back to music) and a large "Paused" sign
covers the left panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from kiosk.domain import controls as table
from kiosk.domain.intents import Intent, SessionView, Source, Status
from kiosk.domain.ports import SessionControl
from kiosk.domain.session_record import EngineSettings
from kiosk.ui.i18n import _

VOLUME_STEP_PCT = EngineSettings().volume_step_pct  # what one press of Louder adds


@dataclass(frozen=True)
class ControlButton:
    """One button of the control bar as it shows now (the control is a row of ``kiosk.domain.controls``)."""

    name: str  # stable id: play_pause | next | like | quieter | louder
    word: str
    icon: str
    on: bool = False  # lit: paused (Play is the way back to music), liked


class NowPlayingPresenter:
    def __init__(self, control: SessionControl, on_change: Callable[[], None]):
        self.control = control
        self.on_change = on_change
        self._liked_song: str | None = None  # liked locally, shown before the engine confirms

    def controls(self, view: SessionView) -> list[ControlButton]:
        """The control bar, left to right, from the one control table."""
        view = self._shown(view)
        buttons = []
        for control in table.on_screen():
            lit = control.lit is not None and control.lit(view)
            look = control.look(lit)
            assert look is not None, control.name  # a control with a slot has a button
            buttons.append(ControlButton(control.name, _(look.word), look.icon, on=lit))
        return buttons

    def _shown(self, view: SessionView) -> SessionView:
        """``view`` with this presenter's like in it: the liked state shows before the engine confirms it."""
        song = view.song
        if song is not None and not song.liked and self._liked_song == song.song_id:
            return replace(view, song=replace(song, liked=True))
        return view

    def title(self, view: SessionView) -> str:
        return view.song.title if view.song else ""

    def artist(self, view: SessionView) -> str:
        return view.song.artist if view.song else ""

    def year(self, view: SessionView) -> str:
        if view.song is None:
            return ""
        if view.song.year:
            return str(view.song.year)
        return view.song.decade or ""

    def decade(self, view: SessionView) -> str:
        return (view.song.decade if view.song else None) or ""

    def state_word(self, view: SessionView) -> str:
        return _("Paused") if view.status is Status.PAUSED else ""

    def limit_words(self) -> tuple[str, ...]:
        """The true answers to Louder/Quieter at the end of their range (in the table's order)."""
        return tuple(_(c.limit_word) for c in table.all_controls() if c.limit_word)

    def volume_fraction(self, view: SessionView) -> float:
        """Volume as a share of the resident's cap (0-1), for the volume bar."""
        cap = max(1, view.volume_cap_pct)
        return max(0.0, min(1.0, view.volume_pct / cap))

    def volume_steps(self, view: SessionView, step_pct: int = VOLUME_STEP_PCT) -> tuple[int, int]:
        """(steps reached, steps up to the resident's limit): one press of Louder is one step."""
        total = max(1, -(-max(1, view.volume_cap_pct) // step_pct))
        return max(0, min(total, round(view.volume_pct / step_pct))), total

    def press(self, name: str) -> str:
        """Post the control's intent at once; returns the feedback words (true ones: at the limit, says so)."""
        return self.press_feedback(name)[0]

    def press_feedback(self, name: str) -> tuple[str, str]:
        """Post the control's intent at once; returns (feedback words, icon): what happened, at the limit too."""
        control = table.named(name)
        before = self.control.view()
        if control.intent is Intent.LIKE and before.song is not None:
            self._liked_song = before.song.song_id
            self.on_change()
        assert control.intent is not None, name  # a screen control posts an intent
        self.control.post(control.intent, Source.TOUCH)  # still journaled: they wanted it louder
        after = self._shown(self.control.view())
        look = control.feedback(control.lit is not None and control.lit(after))
        assert look is not None, name
        if control.at_limit is not None and control.at_limit(before, after):
            return _(control.limit_word), look.icon
        return _(look.word), look.icon
