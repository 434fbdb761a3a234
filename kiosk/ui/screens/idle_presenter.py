"""Idle screen: "Touch for music", a calm clock only when the clock is trusted, nothing personal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.domain.intents import Intent, Source
from kiosk.domain.ports import Clock, SessionControl
from kiosk.ui.i18n import N_, _
from kiosk.ui.router import Router

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))  # fmt: skip
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))  # fmt: skip


class IdlePresenter:
    def __init__(self, control: SessionControl, router: Router, clock: Clock, on_change: Callable[[], None]):
        self.control = control
        self.router = router
        self.clock = clock
        self.on_change = on_change

    def prompt(self) -> str:
        return _("Touch for music")

    def clock_lines(self) -> tuple[str, str]:
        """(time, date) in local time, or empty strings while the clock is not trusted (a wrong date confuses)."""
        if not self.clock.trusted():
            return "", ""
        local: datetime = self.clock.now().astimezone()
        hour = local.strftime("%I").lstrip("0") or "12"
        time_text = f"{hour}:{local.strftime('%M')} " + (
            _("in the morning")
            if local.hour < 12
            else _("in the afternoon")
            if local.hour < 18
            else _("in the evening")
        )
        date_text = f"{_(WEEKDAYS[local.weekday()])} {local.day} {_(MONTHS[local.month - 1])} {local.year}"
        return time_text, date_text

    def tap(self) -> str:
        """One tap: music now (personal), or the picker (lounge). Returns the feedback word."""
        if self.router.lounge:
            self.router.picker_open = True
            self.on_change()
            return _("Who is listening?")
        self.control.post(Intent.MORE_MUSIC, Source.TOUCH)
        return _("Music is starting")
