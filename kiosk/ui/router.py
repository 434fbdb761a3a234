"""Which screen shows, from the session snapshot plus the little UI-only state (picker open, staff mode).

Plain Python: the session decides whether music plays; the router only maps that to a screen, so the idle
screen appears only when nothing plays and the way back to music is always one tap away.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.intents import SessionView, Status

IDLE = "idle"
RESIDENTS = "residents"
NOW_PLAYING = "now_playing"
SESSION_END = "session_end"
CALM = "calm"
MODES = "modes"
STAFF_PIN = "staff_pin"
STAFF = "staff"

RESIDENT_SCREENS = (IDLE, RESIDENTS, NOW_PLAYING, SESSION_END, CALM, MODES)
CORE = (IDLE, RESIDENTS, NOW_PLAYING, SESSION_END, CALM)  # built at start; the others on first use


@dataclass
class Router:
    kiosk_mode: str = "lounge"  # personal | lounge
    picker_open: bool = False
    modes_open: bool = False
    staff: str = "off"  # off | pin | on

    @property
    def lounge(self) -> bool:
        return self.kiosk_mode != "personal"

    def screen_for(self, view: SessionView) -> str:
        if self.staff == "pin":
            return STAFF_PIN
        if self.staff == "on":
            return STAFF
        if self.modes_open:
            return MODES
        playing = view.status in (Status.PLAYING, Status.PAUSED)
        if playing:
            self.picker_open = False
            return NOW_PLAYING
        if view.status is Status.CALM:  # after a distress stop: calm words, no picker, no "More music"
            self.picker_open = False
            return CALM
        if view.status is Status.CHOOSING or self.picker_open:
            return RESIDENTS
        if view.status is Status.ENDED:
            return SESSION_END
        return IDLE
