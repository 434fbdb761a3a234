"""Now playing: the song in very large type and the five resident controls, always in the same place.

Controls (left to right, never reordered): Pause/Play, Another song, I like this, Quieter, Louder. The liked
state shows at once (before the engine's snapshot comes back). Feedback is true: Louder at the resident's
limit says so instead of "Louder"; while paused, Play is lit (the way back to music) and a large "Paused" sign
covers the left panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.domain.intents import Intent, SessionView, Source, Status
from kiosk.domain.ports import SessionControl
from kiosk.domain.session_record import EngineSettings
from kiosk.ui.i18n import _

VOLUME_STEP_PCT = EngineSettings().volume_step_pct  # what one press of Louder adds


@dataclass(frozen=True)
class Control:
    name: str  # stable id: play_pause | next | like | quieter | louder
    word: str
    icon: str
    on: bool = False  # liked


CONTROL_INTENTS = {
    "play_pause": Intent.PLAY_PAUSE,
    "next": Intent.NEXT,
    "like": Intent.LIKE,
    "quieter": Intent.VOLUME_DOWN,
    "louder": Intent.VOLUME_UP,
}


class NowPlayingPresenter:
    def __init__(self, control: SessionControl, on_change: Callable[[], None]):
        self.control = control
        self.on_change = on_change
        self._liked_song: str | None = None  # liked locally, shown before the engine confirms

    def liked(self, view: SessionView) -> bool:
        song = view.song
        return song is not None and (song.liked or self._liked_song == song.song_id)

    def controls(self, view: SessionView) -> list[Control]:
        paused = view.status is Status.PAUSED
        liked = self.liked(view)
        return [
            Control(
                "play_pause", _("Play") if paused else _("Pause"), "play" if paused else "pause", on=paused
            ),
            Control("next", _("Another song"), "next"),
            Control("like", _("I like it!") if liked else _("I like this"), "heart", on=liked),
            Control("quieter", _("Quieter"), "quieter"),
            Control("louder", _("Louder"), "louder"),
        ]

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

    def limit_words(self) -> tuple[str, str]:
        """The true answers to Louder/Quieter at the end of their range."""
        return _("That is as loud as it goes"), _("That is as quiet as it goes")

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
        view = self.control.view()
        if name == "like" and view.song is not None:
            self._liked_song = view.song.song_id
            self.on_change()
        self.control.post(CONTROL_INTENTS[name], Source.TOUCH)  # still journaled: they wanted it louder
        loudest, quietest = self.limit_words()
        if name == "louder" and view.volume_pct >= view.volume_cap_pct:
            return loudest
        if name == "quieter" and self.control.view().volume_pct >= view.volume_pct:
            return quietest
        return {
            "play_pause": _("Playing") if view.status is Status.PAUSED else _("Paused"),
            "next": _("Another song"),
            "like": _("I like it!"),
            "quieter": _("Quieter"),
            "louder": _("Louder"),
        }[name]
