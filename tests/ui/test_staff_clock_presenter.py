"""The staff "Set the time" panel's presenter over the demo staff actions: what it says about the clock, how the
steppers move, and what Save hands the use case and tells staff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kiosk.app.staff_api import ClockReading, SystemResult
from kiosk.devtools.demo import DemoResidentStore, DemoSessionControl, DemoStaffActions
from kiosk.domain.clock_trust import ClockBasis
from kiosk.ui.screens.staff_clock_presenter import ClockPresenter
from kiosk.ui.screens.staff_presenter import StaffPresenter


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "UTC")  # the panel shows local time: pin the zone
    time.tzset()


def sync_bg(work: Callable[[], object], done: Callable[[object], None]) -> None:
    try:
        result = work()
    except Exception as exc:  # noqa: BLE001 - the UI's worker hands errors back the same way
        result = exc
    done(result)


class Staff(DemoStaffActions):
    def __init__(self, now: datetime, basis: ClockBasis, answer: SystemResult | Exception):
        super().__init__(DemoSessionControl(), DemoResidentStore(), delay_s=0)
        self.reading = ClockReading(now, basis)
        self.answer = answer

    def clock_reading(self) -> ClockReading:
        return self.reading

    def set_clock(self, local: datetime) -> SystemResult:
        self.clock_set.append(local)
        if isinstance(self.answer, Exception):
            raise self.answer
        if self.answer.done:
            self.reading = ClockReading(self.reading.now, ClockBasis.STAFF_SET)
        return self.answer


def _panel(staff: Staff) -> tuple[ClockPresenter, list[str]]:
    notes: list[str] = []
    p = ClockPresenter(staff, sync_bg, lambda: None, notes.append)
    p.open()
    return p, notes


@pytest.mark.parametrize(
    ("basis", "words", "trusted"),
    [
        (ClockBasis.SYNCHRONISED, "Time is right: set by the internet.", True),
        (ClockBasis.RTC, "Time is right: set by the clock chip.", True),
        (ClockBasis.STAFF_SET, "Time is right: set by staff today.", True),
        (ClockBasis.UNTRUSTED, "Time not confirmed: please set it below.", False),
        (ClockBasis.PLAUSIBLE, "Time not confirmed (this computer's own clock looks right).", False),
    ],
)
def test_the_panel_says_what_the_clock_reads_and_why_it_is_believed(
    basis: ClockBasis, words: str, trusted: bool
) -> None:
    p, _notes = _panel(Staff(datetime(2026, 6, 1, 14, 5, tzinfo=UTC), basis, SystemResult(True)))
    assert p.now_text() == "The kiosk's clock says Monday 1 June 2026, 2:05 pm."
    assert p.trust_text() == words
    assert p.trusted() is trusted


def test_steppers_start_at_the_clock_and_wrap_within_their_range() -> None:
    p, _notes = _panel(
        Staff(datetime(2024, 1, 31, 23, 59, tzinfo=UTC), ClockBasis.UNTRUSTED, SystemResult(True))
    )
    assert [p.value_text(n) for n in ("day", "month", "year", "hour", "minute")] == [
        "31", "January", "2024", "11 pm", "59"
    ]  # fmt: skip
    p.step("minute", 1)
    p.step("hour", 1)
    assert (p.chosen.hour, p.chosen.minute) == (0, 0)  # round, without carrying into the day
    p.step("month", 1)
    assert (p.chosen.day, p.chosen.month) == (29, 2)  # 31 February does not exist: the last day (leap year)
    p.step("year", 1)
    assert (p.chosen.day, p.chosen.year) == (28, 2025)
    p.step("year", -5)
    assert p.chosen.year == 2024  # never before 2024: such a clock is never believed
    p.step("day", 1)
    p.step("day", 1)
    assert p.chosen.day == 1  # 28 Feb 2024 + 2 = 1 (29 February, then round)
    p.step("month", -2)
    assert p.chosen.month == 12 and p.chosen.year == 2024
    assert p.chosen_text() == "New time: Sunday 1 December 2024, 12:00 am"


def test_a_clock_in_1970_starts_the_steppers_on_the_first_trusted_year() -> None:
    p, _notes = _panel(
        Staff(datetime(1970, 1, 5, 8, 0, tzinfo=UTC), ClockBasis.UNTRUSTED, SystemResult(True))
    )
    assert (p.chosen.day, p.chosen.month, p.chosen.year, p.chosen.hour) == (1, 1, 2024, 8)


def test_save_sets_the_chosen_local_time_and_shows_the_new_basis() -> None:
    staff = Staff(datetime(2026, 6, 1, 14, 5, tzinfo=UTC), ClockBasis.UNTRUSTED,
                  SystemResult(True, "The clock now reads 01 Jun 2026, 15:05."))  # fmt: skip
    p, notes = _panel(staff)
    p.step("hour", 1)
    assert p.can_save() and p.save_word() == "Save: set the clock"
    p.save()
    assert staff.clock_set == [datetime(2026, 6, 1, 15, 5)]  # naive local time, as on the wall clock
    assert notes == ["Setting the time...", "The clock now reads 01 Jun 2026, 15:05."]
    assert p.trust_text() == "Time is right: set by staff today." and not p.saving


def test_a_refusal_or_an_error_is_shown_and_save_can_be_tried_again() -> None:
    refused = SystemResult(False, "Could not set the time. This kiosk user is not allowed to: run install.")
    p, notes = _panel(Staff(datetime(2026, 6, 1, 14, 5, tzinfo=UTC), ClockBasis.UNTRUSTED, refused))
    p.save()
    assert notes[-1] == refused.note and p.trust_text().startswith("Time not confirmed")
    assert p.can_save()
    p.staff.answer = OSError("dbus gone")  # type: ignore[attr-defined]
    p.save()
    assert notes[-1] == "The time was not changed: dbus gone"


def test_a_kiosk_that_cannot_set_its_clock_offers_no_save() -> None:
    staff = Staff(datetime(2026, 6, 1, 14, 5, tzinfo=UTC), ClockBasis.PLAUSIBLE, SystemResult(True))
    staff.reading = ClockReading(staff.reading.now, ClockBasis.PLAUSIBLE, can_set=False)
    p, _notes = _panel(staff)
    assert not p.can_save()
    p.save()
    assert staff.clock_set == []


def test_the_staff_menu_reaches_the_panel_and_the_demo_explains_it_cannot_set_the_time() -> None:
    staff = DemoStaffActions(DemoSessionControl(), DemoResidentStore(), delay_s=0)
    p = StaffPresenter(staff, sync_bg, lambda: None)
    p.open_panel("clock")
    assert p.clock.trust_text() == "Time not confirmed: please set it below."
    p.clock.save()
    assert p.state.note == "Demo: the time cannot be set here (not allowed on this machine)."
    assert len(staff.clock_set) == 1
