"""Now playing: song in very large type, the era picture (or the mode's panel), five fixed controls."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.domain.intents import SessionView, Status
from kiosk.domain.models import Mode
from kiosk.ui.screens.modes_presenter import ModesPresenter, breath_scale, breath_word, move_prompt
from kiosk.ui.screens.now_playing_presenter import NowPlayingPresenter

FEEDBACK_S = 4.0  # how long the word of the last touch stays beside the volume bar


class NowPlayingScreen(Screen):
    _clear_ev: Any  # a Kivy ClockEvent once scheduled (set in methods, read with getattr before)
    presenter: NowPlayingPresenter = ObjectProperty(None)
    modes: ModesPresenter = ObjectProperty(None)
    title = StringProperty("")
    artist = StringProperty("")
    year = StringProperty("")
    decade = StringProperty("")
    art_path = StringProperty("")
    mode = StringProperty("listen")
    feedback = StringProperty("")
    feedback_icon = StringProperty("")
    feedback_wide = BooleanProperty(
        False
    )  # a long true message ("That is as loud as it goes"): no volume bar
    paused = BooleanProperty(False)
    paused_word = StringProperty("")  # shown as large as a title over the left panel while paused
    volume_frac = NumericProperty(0.5)
    breath = NumericProperty(0.0)
    breath_text = StringProperty("")
    move_text = StringProperty("")
    lyric_prev = StringProperty("")
    lyric_now = StringProperty("")
    lyric_next = StringProperty("")
    lyrics_synced = BooleanProperty(True)
    now_s = ObjectProperty(time.monotonic)

    def on_pre_enter(self, *_args: object) -> None:
        self.feedback = ""
        self._anim = Clock.schedule_interval(self._animate, 1 / 20)

    def on_leave(self, *_args: object) -> None:
        self._anim.cancel()

    def _animate(self, _dt: float) -> None:
        t = self.now_s()
        if self.mode == Mode.RELAX:
            self.breath = breath_scale(t)
            self.breath_text = breath_word(t)
        view = getattr(self, "_view", None)
        if view is not None and view.status is Status.PLAYING and self.mode in (Mode.SING, Mode.MOVE):
            # The engine need not publish every position change: run the song's clock on from the last
            # snapshot so lyrics and prompts move on time.
            position_ms = view.position_ms + int((t - self._view_at) * 1000)
            self._show_mode(replace(view, position_ms=position_ms))

    def show(self, view: SessionView) -> None:
        p = self.presenter
        self.title = p.title(view)
        self.artist = p.artist(view)
        self.year = p.year(view)
        self.decade = p.decade(view)
        self.art_path = (view.song.art_path or "") if view.song else ""
        self.mode = str(view.mode or Mode.LISTEN)
        self.volume_frac = p.volume_fraction(view)
        self.paused = view.status is Status.PAUSED
        self.paused_word = p.state_word(view)
        for control in p.controls(view):
            button = self.ids[f"c_{control.name}"]
            button.word = control.word
            button.icon = "heart_full" if control.on and control.name == "like" else control.icon
            button.selected = control.on
        self._view, self._view_at = view, self.now_s()
        self._show_mode(view)

    def _show_mode(self, view: SessionView) -> None:
        if self.mode == Mode.MOVE:
            self.move_text = move_prompt(view.position_ms)
        if self.mode == Mode.SING:
            self.lyrics_synced = bool(self.modes.lyrics(view).timed)
            self.lyric_prev, self.lyric_now, self.lyric_next = self.modes.lyric_lines(view)
            if self.paused:  # the paused sign takes the left of the screen: the line to come waits for Play
                self.lyric_next = ""

    def press(self, name: str) -> None:
        """A control was pressed: the word and icon show at once, then the intent goes to the engine."""
        icons = {"play_pause": "play", "next": "next", "like": "heart_full", "quieter": "quieter",
                 "louder": "louder"}  # fmt: skip
        self.feedback = self.presenter.press(name)
        # the engine has answered by now: a pause shows the pause sign, a resume the play sign
        self.feedback_icon = ("pause" if self.paused else "play") if name == "play_pause" else icons[name]
        self.feedback_wide = self.feedback in self.presenter.limit_words()
        if getattr(self, "_clear_ev", None) is not None:
            self._clear_ev.cancel()
        self._clear_ev = Clock.schedule_once(self._clear_feedback, FEEDBACK_S)

    def _clear_feedback(self, _dt: float) -> None:
        """After a few seconds the word goes (the paused state has its own large sign)."""
        self.feedback, self.feedback_icon, self.feedback_wide = "", "", False
