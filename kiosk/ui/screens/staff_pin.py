"""Staff PIN pad (reached by holding the top-left corner for 3 s)."""

from __future__ import annotations

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.screens.staff_pin_presenter import StaffPinPresenter


class StaffPinScreen(Screen):
    presenter: StaffPinPresenter = ObjectProperty(None)
    message = StringProperty("")
    masked = StringProperty("")

    def on_pre_enter(self, *_args: object) -> None:
        self.presenter.reset()
        self.refresh()

    def refresh(self) -> None:
        self.message = self.presenter.message()
        self.masked = self.presenter.masked()
