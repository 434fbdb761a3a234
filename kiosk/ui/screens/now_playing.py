"""Now playing: the mode's panel (mode_panels/<mode>.kv: the song in very large type and what the mode shows
beside it), five fixed controls."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, RoundedRectangle
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.domain.beats import pulse
from kiosk.domain.intents import SessionView, Status
from kiosk.domain.models import Mode
from kiosk.ui import (
    fit_text,  # noqa: F401  (registers FitLabel for now_playing.kv)
    theme,
)
from kiosk.ui.era_pictures import DecadePicture  # noqa: F401  (registers it for now_playing.kv)
from kiosk.ui.icons import ICONS
from kiosk.ui.screens.mode_panels import ModePanel, make_panel, panel_ids
from kiosk.ui.screens.modes_presenter import (
    ModesPresenter,
    breath_scale,
    breath_word,
    instrument_words,
    movement_at,
)
from kiosk.ui.screens.now_playing_presenter import NowPlayingPresenter
from kiosk.ui.units import mm
from kiosk.ui.widgets import Panel

FEEDBACK_S = 4.0  # how long the word of the last touch stays beside the volume bar
BREATH_MIN = 0.45  # the breathing circle at the end of breathing out, as a share of its largest size


class FeedbackRow(BoxLayout):
    """The word of the last touch and the volume (now_playing.kv). ``compact`` (narrow, in Relax): the word of a
    touch takes the volume's place for a few seconds."""

    screen = ObjectProperty(None, allownone=True)
    compact = BooleanProperty(False)
    word = StringProperty("")
    icon = StringProperty("")
    steps = NumericProperty(1)
    filled = NumericProperty(0)
    volume_hidden = BooleanProperty(False)

    def on_screen(self, _w: object, screen: Any) -> None:
        names = ("feedback", "feedback_icon", "feedback_wide", "volume_steps", "volume_steps_on")
        screen.bind(**dict.fromkeys(names, self._copy))
        self.bind(compact=self._copy)
        self._copy()

    def _copy(self, *_args: object) -> None:
        s = self.screen
        self.word, self.icon = s.feedback, (s.feedback_icon if s.feedback else "")
        self.steps, self.filled = s.volume_steps, s.volume_steps_on
        self.volume_hidden = bool(s.feedback_wide or (self.compact and s.feedback))


class FromScreen:
    """A part of the screen that copies ``copies`` (names of the screen's properties) onto itself whenever they
    change, so its rule in now_playing.kv reads its own properties (a kv class rule runs before ``screen`` is set)."""

    copies: tuple[str, ...] = ()
    screen: Any  # a Kivy ObjectProperty on each widget class

    def on_screen(self, _w: object, screen: Any) -> None:
        if screen is not None:
            screen.bind(**dict.fromkeys(self.copies, self._copy_screen))
            self._copy_screen()

    def _copy_screen(self, *_args: object) -> None:
        for name in self.copies:
            setattr(self, name, getattr(self.screen, name))


class SongColumn(FromScreen, BoxLayout):
    """The song's title, its artist and year, the lyrics when ``lyrics`` (Sing along), the feedback row."""

    copies = ("title", "artist", "year", "lyric_now", "lyric_next", "lyrics_synced")
    screen = ObjectProperty(None, allownone=True)
    lyrics = BooleanProperty(False)
    title = StringProperty("")
    artist = StringProperty("")
    year = StringProperty("")
    lyric_now = StringProperty("")
    lyric_next = StringProperty("")
    lyrics_synced = BooleanProperty(True)


class PausedSign(FromScreen, Panel):
    """The large paused sign that takes the picture's place while paused."""

    copies = ("paused", "paused_word")
    screen = ObjectProperty(None, allownone=True)
    paused = BooleanProperty(False)
    paused_word = StringProperty("")


class VolumeSteps(Widget):
    """The volume: a speaker, then one bar per step up to the resident's limit (bars grow like a staircase),
    the ones reached filled. One press of Louder fills one more: a person can count them."""

    steps = NumericProperty(1)
    filled = NumericProperty(0)
    hidden = BooleanProperty(False)

    def __init__(self, **kw: object):
        super().__init__(**kw)
        self.bind(pos=self._draw, size=self._draw, steps=self._draw, filled=self._draw)

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        if self.width < 2:
            return
        icon = min(self.height, mm(7))
        with self.canvas:
            Color(*theme.ICON)
            ICONS["speaker"](self.x, self.center_y - icon / 2, icon)
        steps = max(1, int(self.steps))
        left = self.x + icon + mm(1.5)
        gap = mm(0.8)
        bar_w = (self.right - left - gap * (steps - 1)) / steps
        with self.canvas:
            for i in range(steps):
                h = self.height * (0.35 + 0.65 * (i + 1) / steps)
                x = left + i * (bar_w + gap)
                Color(*(theme.BUTTON_EDGE if i < self.filled else theme.BUTTON))
                RoundedRectangle(pos=(x, self.y), size=(bar_w, h), radius=[mm(0.5)])
                Color(*theme.BUTTON_EDGE)
                Line(rounded_rectangle=(x, self.y, bar_w, h, mm(0.5)), width=1)


class BreathingCircle(Widget):
    """Relax: a circle as tall as its box at the top of a breath in, BREATH_MIN of that at the end of a breath
    out; ``breath`` 0-1 comes from modes_presenter.breath_scale (6 breaths a minute)."""

    breath = NumericProperty(0.0)

    def __init__(self, **kw: object):
        super().__init__(**kw)
        self.bind(pos=self._draw, size=self._draw, breath=self._draw)

    @property
    def largest_px(self) -> float:
        return min(self.width, self.height)

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        d = self.largest_px * (BREATH_MIN + (1 - BREATH_MIN) * self.breath)
        with self.canvas:
            Color(*theme.with_alpha(theme.BUTTON_EDGE, 0.25))  # where the breath in goes: a faint ring
            Line(circle=(self.center_x, self.center_y, self.largest_px / 2 - 1), width=mm(0.3))
            Color(*theme.BUTTON)
            Ellipse(pos=(self.center_x - d / 2, self.center_y - d / 2), size=(d, d))
            Color(*theme.BUTTON_EDGE)
            Line(circle=(self.center_x, self.center_y, d / 2), width=mm(0.5))


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
    move_picture = StringProperty("")
    volume_steps = NumericProperty(1)
    volume_steps_on = NumericProperty(0)
    lyric_prev = StringProperty("")
    lyric_now = StringProperty("")
    lyric_next = StringProperty("")
    lyrics_synced = BooleanProperty(True)
    playing_along = BooleanProperty(
        False
    )  # a mode whose pads are instruments (Play along), playing: they show
    pulse = NumericProperty(0.0)  # 0-1, swells on each beat (kiosk.domain.beats.pulse)
    pad_words = ObjectProperty(instrument_words())
    now_s = ObjectProperty(time.monotonic)
    # (song path, cover beside it or None) -> a picture file to show, or None; slow: called off the UI thread
    covers = ObjectProperty(None, allownone=True)
    run_bg = ObjectProperty(None, allownone=True)

    def __init__(self, **kw: Any):
        super().__init__(**kw)
        self._panels: dict[str, ModePanel] = {}  # mode name -> its panel, built when first shown
        self._panel: ModePanel | None = None
        self._panel_id_names: tuple[str, ...] = ()

    def on_pre_enter(self, *_args: object) -> None:
        self.feedback = ""
        self._anim = Clock.schedule_interval(self._animate, 1 / 20)

    def on_leave(self, *_args: object) -> None:
        self._anim.cancel()

    def _animate(self, _dt: float) -> None:
        t = self.now_s()
        feeds = self._feeds()
        if "breath" in feeds:
            self.breath = breath_scale(t)
            self.breath_text = breath_word(t)
        view = getattr(self, "_view", None)
        if view is not None and "pulse" in feeds and self.playing_along:  # the song's clock run on
            self.pulse = pulse(view.beat_grid, (view.position_ms + (t - self._view_at) * 1000) / 1000.0)
        if view is not None and view.status is Status.PLAYING and ("lyrics" in feeds or "movement" in feeds):
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
        self._show_art(view)
        mode = view.mode or Mode.LISTEN
        self.mode = mode.value
        self.volume_frac = p.volume_fraction(view)
        self.volume_steps_on, self.volume_steps = p.volume_steps(view)
        self.paused = view.status is Status.PAUSED
        self.playing_along = mode.spec.plays_instruments and view.status is Status.PLAYING
        self._show_panel(mode)
        self.paused_word = p.state_word(view)
        for control in p.controls(view):
            button = self.ids[f"c_{control.name}"]
            button.word, button.icon, button.selected = control.word, control.icon, control.on
        self._view, self._view_at = view, self.now_s()
        self._show_mode(view)

    def _show_art(self, view: SessionView) -> None:
        """The song's cover: looked up off the UI thread (tags, decoding), shown when it comes back, and only
        if that song is still the one playing."""
        song = view.song
        song_id = song.song_id if song else None
        if song_id == getattr(self, "_art_for", None):
            return
        self._art_for = song_id
        self.art_path = ""
        if song is None or self.covers is None or self.run_bg is None:
            return
        covers, path, beside = self.covers, song.path, song.art_path

        def shown(result: object) -> None:
            if self._art_for == song_id and isinstance(result, str):
                self.art_path = result

        self.run_bg(lambda: covers(path, beside), shown)

    def _feeds(self) -> list[str]:
        return self._panel.feeds if self._panel is not None else []

    def _show_panel(self, mode: Mode) -> None:
        """The mode's panel in the top of the screen (each built once); its ids join the screen's."""
        panel = self._panels.get(mode.value)
        if panel is None:
            panel = self._panels[mode.value] = make_panel(mode.spec, self)
        if self._panel is panel:
            return
        area = self.ids.mode_area
        area.clear_widgets()
        area.add_widget(panel)
        self._panel = panel
        for key in self._panel_id_names:
            self.ids.pop(key, None)
        found = {k: w for k, w in panel_ids(panel).items() if k not in self.ids}
        self._panel_id_names = tuple(found)
        self.ids.update(found)

    def _show_mode(self, view: SessionView) -> None:
        feeds = self._feeds()
        if "movement" in feeds:
            movement = movement_at(view.position_ms)
            self.move_text, self.move_picture = movement.word, movement.picture
        if "lyrics" in feeds:
            self.lyrics_synced = bool(self.modes.lyrics(view).timed)
            self.lyric_prev, self.lyric_now, self.lyric_next = self.modes.lyric_lines(view)
            if self.paused:  # the paused sign takes the left of the screen: the line to come waits for Play
                self.lyric_next = ""

    def play(self, instrument: str) -> None:
        """A Play along pad: the pad itself shows the touch (its colour); the sound is the feedback."""
        self.modes.play(instrument)

    def press(self, name: str) -> None:
        """A control was pressed: the word and icon show at once, then the intent goes to the engine."""
        # words and icon from the control table; the engine has answered by now: a pause shows the pause sign
        self.feedback, self.feedback_icon = self.presenter.press_feedback(name)
        self.feedback_wide = self.feedback in self.presenter.limit_words()
        if getattr(self, "_clear_ev", None) is not None:
            self._clear_ev.cancel()
        self._clear_ev = Clock.schedule_once(self._clear_feedback, FEEDBACK_S)

    def _clear_feedback(self, _dt: float) -> None:
        """After a few seconds the word goes (the paused state has its own large sign)."""
        self.feedback, self.feedback_icon, self.feedback_wide = "", "", False
