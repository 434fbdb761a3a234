"""Session end: the music has faded out; one big "More music" brings it back with one tap."""

from __future__ import annotations

from kiosk.domain.intents import Intent, Source
from kiosk.domain.ports import SessionControl
from kiosk.ui.i18n import _


class SessionEndPresenter:
    def __init__(self, control: SessionControl):
        self.control = control

    def heading(self) -> str:
        return _("That was lovely.")

    def button_word(self) -> str:
        return _("More music")

    def more_music(self) -> str:
        self.control.post(Intent.MORE_MUSIC, Source.TOUCH)
        return _("Music is starting")
