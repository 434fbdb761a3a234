"""Idle screen: the whole glass is one "Touch for music" target; a calm clock when the clock is trusted."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.screens.idle_presenter import IdlePresenter


class IdleScreen(Screen):
    _blank_ev: Any  # a Kivy ClockEvent once scheduled (set in methods, read with getattr before)
    presenter: IdlePresenter = ObjectProperty(None)
    time_text = StringProperty("")
    date_text = StringProperty("")
    feedback = StringProperty("")
    blanked = BooleanProperty(False)
    blank_after_s = 0  # set by the app from config.display.blank_when_idle_s (0 = never)

    def on_pre_enter(self, *_args: object) -> None:
        self.feedback = ""
        self.refresh()
        self._tick = Clock.schedule_interval(lambda _dt: self.refresh(), 10)
        self._arm_blank()

    def on_leave(self, *_args: object) -> None:
        self._tick.cancel()
        self.blanked = False
        if getattr(self, "_blank_ev", None) is not None:
            self._blank_ev.cancel()

    def _arm_blank(self) -> None:
        if getattr(self, "_blank_ev", None) is not None:
            self._blank_ev.cancel()
        self._blank_ev = None
        if self.blank_after_s > 0:
            self._blank_ev = Clock.schedule_once(
                lambda _dt: setattr(self, "blanked", True), self.blank_after_s
            )

    def refresh(self) -> None:
        self.time_text, self.date_text = self.presenter.clock_lines()

    def tap(self) -> None:
        """The touch target's action."""
        if self.blanked:  # a touch on a dark screen only wakes it
            self.blanked = False
            self._arm_blank()
            return
        self.feedback = self.presenter.tap()
