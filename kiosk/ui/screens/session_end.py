"""Session end: the music has faded; one big "More music"."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.screens.session_end_presenter import SessionEndPresenter


class SessionEndScreen(Screen):
    presenter: SessionEndPresenter = ObjectProperty(None)
    feedback = StringProperty("")

    def on_pre_enter(self, *_args: object) -> None:
        self.feedback = ""

    def more(self) -> None:
        self.feedback = self.presenter.more_music()
