"""Staff mode's "Set the time" panel (plain Python): the kiosk's clock now and whether it is trusted, in plain
words, and steppers for day, month, year, hour and minute. Save sets the system clock through the staff use case
(a worker call: timedatectl may take a moment); a refusal is shown as it came (e.g. not allowed here)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.app.staff_api import ClockReading, StaffActions, SystemResult
from kiosk.domain.clock_trust import ClockBasis
from kiosk.ui.i18n import _
from kiosk.ui.screens.idle_presenter import MONTHS, WEEKDAYS

RunInBackground = Callable[[Callable[[], object], Callable[[object], None]], None]

FIELDS = ("day", "month", "year", "hour", "minute")
FIRST_YEAR, LAST_YEAR = 2024, 2099  # before 2024 the clock is never trusted anyway


def field_titles() -> dict[str, str]:
    return {"day": _("Day"), "month": _("Month"), "year": _("Year"), "hour": _("Hour"), "minute": _("Minute")}


def basis_words() -> dict[ClockBasis, str]:
    return {
        ClockBasis.SYNCHRONISED: _("set by the internet"),
        ClockBasis.RTC: _("set by the clock chip"),
        ClockBasis.STAFF_SET: _("set by staff today"),
        ClockBasis.PLAUSIBLE: _("not confirmed (this computer's own clock looks right)"),
        ClockBasis.UNTRUSTED: _("not confirmed"),
    }


def clock_words(moment: datetime) -> str:
    """ "Monday 1 June 2026, 2:05 pm" (``moment`` as it is: give it in local time)."""
    hour = f"{moment.hour % 12 or 12}:{moment.minute:02d} " + ("am" if moment.hour < 12 else "pm")
    day = f"{_(WEEKDAYS[moment.weekday()])} {moment.day} {_(MONTHS[moment.month - 1])} {moment.year}"
    return f"{day}, {hour}"


@dataclass
class Chosen:
    """The date and time on the steppers (local, naive)."""

    day: int
    month: int
    year: int
    hour: int
    minute: int

    def as_datetime(self) -> datetime:
        return datetime(self.year, self.month, self.day, self.hour, self.minute)


class ClockPresenter:
    def __init__(
        self,
        staff: StaffActions,
        run_bg: RunInBackground,
        on_change: Callable[[], None],
        note: Callable[[str], None],
    ):
        self.staff = staff
        self.run_bg = run_bg
        self.on_change = on_change
        self.note = note
        self.reading: ClockReading | None = None
        self.chosen = Chosen(1, 1, FIRST_YEAR, 0, 0)
        self.saving = False

    def open(self) -> None:
        """Read the clock afresh; the steppers start at what it reads now (the usual fix is a few minutes or
        hours, not a new date)."""
        self.reading = self.staff.clock_reading()
        local = self.reading.now.astimezone()
        year = min(max(local.year, FIRST_YEAR), LAST_YEAR)
        self.chosen = Chosen(local.day, local.month, year, local.hour, local.minute)
        if year != local.year:  # a clock in 1970: start on 1 January of the first year it can be trusted
            self.chosen.day, self.chosen.month = 1, 1

    # --- what the panel shows ---
    def now_text(self) -> str:
        if self.reading is None:
            return ""
        return _("The kiosk's clock says {when}.").format(when=clock_words(self.reading.now.astimezone()))

    def trust_text(self) -> str:
        if self.reading is None:
            return ""
        basis = self.reading.basis
        words = basis_words()[basis]
        if basis is ClockBasis.UNTRUSTED:
            return _("Time {how}: please set it below.").format(how=words)
        if basis is ClockBasis.PLAUSIBLE:
            return _("Time {how}.").format(how=words)
        return _("Time is right: {how}.").format(how=words)

    def trusted(self) -> bool:
        return self.reading is not None and self.reading.basis not in (
            ClockBasis.UNTRUSTED,
            ClockBasis.PLAUSIBLE,
        )

    def value_text(self, name: str) -> str:
        c = self.chosen
        if name == "month":
            return _(MONTHS[c.month - 1])
        if name == "hour":
            return f"{c.hour % 12 or 12} " + ("am" if c.hour < 12 else "pm")
        if name == "minute":
            return f"{c.minute:02d}"
        return str(getattr(c, name))

    def chosen_text(self) -> str:
        return _("New time: {when}").format(when=clock_words(self.chosen.as_datetime()))

    def can_save(self) -> bool:
        return not self.saving and (self.reading is None or self.reading.can_set)

    def save_word(self) -> str:
        if self.saving:
            return _("Setting the time...")
        return _("Save: set the clock")

    # --- what staff do ---
    def step(self, name: str, delta: int) -> None:
        """One touch on + or -: day, month, hour and minute go round; the year stays within 2024-2099; the day
        is kept within the month (31 January, one month on: 29 February or 28)."""
        assert name in FIELDS
        c = self.chosen
        if name == "year":
            c.year = min(max(c.year + delta, FIRST_YEAR), LAST_YEAR)
        elif name == "month":
            c.month = (c.month - 1 + delta) % 12 + 1
        elif name == "hour":
            c.hour = (c.hour + delta) % 24
        elif name == "minute":
            c.minute = (c.minute + delta) % 60
        else:
            days = calendar.monthrange(c.year, c.month)[1]
            c.day = (c.day - 1 + delta) % days + 1
        c.day = min(c.day, calendar.monthrange(c.year, c.month)[1])
        self.on_change()

    def save(self) -> None:
        if not self.can_save():
            return
        self.saving = True
        wanted = self.chosen.as_datetime()
        self.note(_("Setting the time..."))
        self.on_change()
        self.run_bg(lambda: self.staff.set_clock(wanted), self._saved)

    def _saved(self, result: object) -> None:
        self.saving = False
        if isinstance(result, SystemResult):
            self.note(result.note or (_("Time saved.") if result.done else _("The time was not changed.")))
        else:
            self.note(_("The time was not changed: {e}").format(e=result))
        self.reading = self.staff.clock_reading()
        self.on_change()
