"""Staff mode's Voice panel (plain Python): the gentle voice switched on or off for the whole kiosk (the voice
itself, introductions and how often, orientation, the lyric coach, guided imagery) and for one resident, and
why the kiosk does not speak when it cannot (no natural voice installed...). Changes apply at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.app.staff_api import StaffActions
from kiosk.domain.models import Resident
from kiosk.domain.voice import IntroEvery, VoiceSwitches
from kiosk.ui.i18n import _

RESIDENTS_SHOWN = 6
TOGGLES = ("enabled", "orientation", "lyric_coach", "imagery")


def intro_titles() -> dict[IntroEvery, str]:
    return {
        IntroEvery.OFF: _("No introductions"),
        IntroEvery.EVERY: _("Introduce every song"),
        IntroEvery.THIRD: _("Introduce every third"),
        IntroEvery.START: _("Introduce the first song"),
    }


def toggle_titles() -> dict[str, str]:
    return {
        "enabled": _("Voice"),
        "orientation": _("Day and time"),
        "lyric_coach": _("Lyric coach"),
        "imagery": _("Guided imagery"),
    }


@dataclass(frozen=True)
class Choice:
    key: str  # what the button sets
    word: str
    selected: bool


class VoicePresenter:
    def __init__(self, staff: StaffActions, on_change: Callable[[], None], note: Callable[[str], None]):
        self.staff = staff
        self.on_change = on_change
        self.note = note
        self.switches = VoiceSwitches()
        self.resident_id = ""
        self.page = 0

    def open(self, chosen: set[str]) -> None:
        """Read the switches afresh; the resident shown is one chosen for the session, else the first."""
        self.switches = self.staff.voice()
        people = self.residents()
        ids = [r.resident_id for r in people]
        if self.resident_id not in ids:
            picked = [i for i in ids if i in chosen]
            self.resident_id = (picked or ids or [""])[0]

    def residents(self) -> list[Resident]:
        return sorted(self.staff.residents(), key=lambda r: r.display_name.casefold())

    # --- what the panel shows ---
    def status_text(self) -> str:
        s = self.switches
        if s.silent_because:
            return _("Not speaking: {why}.").format(why=s.silent_because)
        if not s.enabled:
            return _("The voice is off for the whole kiosk.")
        return _("Speaks with {voice}, only for residents switched on below.").format(voice=s.speaks_with)

    def toggles(self) -> list[Choice]:
        s, titles = self.switches, toggle_titles()
        return [
            Choice(name, f"{titles[name]}: " + (_("on") if getattr(s, name) else _("off")), getattr(s, name))
            for name in TOGGLES
        ]

    def intro_choices(self) -> list[Choice]:
        return [Choice(e.value, word, self.switches.intros == e) for e, word in intro_titles().items()]

    def residents_page(self) -> list[Resident]:
        people = self.residents()
        pages = max(1, -(-len(people) // RESIDENTS_SHOWN))
        self.page %= pages
        return people[self.page * RESIDENTS_SHOWN : (self.page + 1) * RESIDENTS_SHOWN]

    def more_people(self) -> bool:
        return len(self.residents()) > RESIDENTS_SHOWN

    def chosen(self) -> Resident | None:
        return next((r for r in self.residents() if r.resident_id == self.resident_id), None)

    def resident_word(self) -> str:
        r = self.chosen()
        if r is None:
            return _("No residents yet")
        state = _("on") if r.voice else _("off")
        return _("Voice for {name}: {state}").format(name=r.display_name, state=state)

    # --- what staff do ---
    def toggle(self, name: str) -> None:
        assert name in TOGGLES
        self.switches = self.staff.set_voice({name: not getattr(self.switches, name)})
        self.note(_("Saved: {what}").format(what=next(c.word for c in self.toggles() if c.key == name)))
        self.on_change()

    def set_intros(self, value: str) -> None:
        every = IntroEvery(value)
        self.switches = self.staff.set_voice({"intros": every.value})
        self.note(_("Saved: introductions: {how}").format(how=intro_titles()[every]))
        self.on_change()

    def pick_resident(self, resident_id: str) -> None:
        self.resident_id = resident_id
        self.on_change()

    def next_page(self) -> None:
        self.page += 1
        self.on_change()

    def toggle_resident(self) -> None:
        r = self.chosen()
        if r is None:
            return
        self.staff.set_resident_voice(r.resident_id, not r.voice)
        self.note(_("Saved: {what}").format(what=self.resident_word()))
        self.on_change()
