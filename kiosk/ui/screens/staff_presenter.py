"""Staff mode: session control, observation form, engagement reports (today / last 7 days), distress reviews,
volume cap, library rescan, USB import, restart/shut down and the "needs attention" list. Slow calls run off
the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from kiosk.app.staff_api import Dashboard, ImportResult, ReviewItem, StaffActions
from kiosk.domain.events import OBSERVATION_SCALES, REACTIONS
from kiosk.domain.models import Mode, Resident
from kiosk.ui.i18n import _

RunInBackground = Callable[[Callable[[], object], Callable[[object], None]], None]

PANELS = ("session", "observe", "reports", "review", "volume", "library", "usb", "attention", "system")


def panel_titles() -> dict[str, str]:
    return {
        "session": _("Session"),
        "observe": _("Observation"),
        "reports": _("Reports"),
        "review": _("Songs to review"),
        "volume": _("Volume limit"),
        "library": _("Music library"),
        "usb": _("Residents from USB"),
        "attention": _("Needs attention"),
        "system": _("Restart / shut down"),
    }


def scale_titles() -> dict[str, str]:
    return {
        "interest": _("Interest"),
        "response": _("Response"),
        "initiation": _("Initiation"),
        "involvement": _("Involvement"),
        "enjoyment": _("Enjoyment"),
    }


def reaction_titles() -> dict[str, str]:
    return {
        "smiled": _("Smiled"),
        "sang": _("Sang"),
        "tapped": _("Tapped"),
        "moved": _("Moved"),
        "talked_memories": _("Memories"),
        "calm": _("Calm"),
        "restless": _("Restless"),
        "tearful": _("Tearful"),
        "distressed": _("Distressed"),
    }


@dataclass
class StaffState:
    panel: str = "session"
    selected: set[str] = field(default_factory=set)  # resident ids for the session
    mode: Mode | None = None
    scales: dict[str, int] = field(default_factory=lambda: {k: 50 for k in OBSERVATION_SCALES})
    reactions: set[str] = field(default_factory=set)
    cap_resident: str = ""
    cap_pct: int = 80
    scan_done: int = 0
    scan_total: int = 0
    scanning: bool = False
    usb_candidates: tuple[str, ...] = ()
    usb_path: str = ""
    usb_result: ImportResult | None = None
    usb_checked: bool = False  # a dry run passed for usb_path
    usb_confirm: bool = (
        False  # the import stopped on changes lowering safety: a second confirmation applies them
    )
    busy: bool = False
    note: str = ""  # last result line for staff
    attention: tuple[str, ...] = ()
    residents_page: int = 0
    report_period: str = "today"  # "today" | "7d"
    report_who: str | None = None  # a resident id, None = the whole home
    report: Dashboard | None = None  # the one on screen (matches period and who once loaded)
    report_loading: bool = False
    report_error: str = ""


RESIDENTS_PER_PAGE = 6
REPORT_PERIODS = ("today", "7d")


def report_period_titles() -> dict[str, str]:
    return {"today": _("Today"), "7d": _("Last 7 days")}


class StaffPresenter:
    def __init__(
        self,
        staff: StaffActions,
        run_bg: RunInBackground,
        on_change: Callable[[], None],
        session_message: Callable[[], str] = lambda: "",
    ):
        self.staff = staff
        self.session_message = session_message
        self.run_bg = run_bg
        self.on_change = on_change
        self.state = StaffState()

    # --- navigation ---
    def open_panel(self, panel: str) -> None:
        assert panel in PANELS
        self.state.panel = panel
        self.state.note = ""
        if panel == "attention":
            self.refresh_attention()
        if panel == "reports":
            self.load_report()
        if panel == "volume" and not self.state.cap_resident:
            people = self.residents()
            if people:
                self.pick_cap_resident(people[0].resident_id)
        self.on_change()

    def residents(self) -> list[Resident]:
        return sorted(self.staff.residents(), key=lambda r: r.display_name.casefold())

    def residents_page(self) -> list[Resident]:
        people = self.residents()
        pages = max(1, -(-len(people) // RESIDENTS_PER_PAGE))
        self.state.residents_page %= pages
        start = self.state.residents_page * RESIDENTS_PER_PAGE
        return people[start : start + RESIDENTS_PER_PAGE]

    def residents_pages(self) -> int:
        return max(1, -(-len(self.residents()) // RESIDENTS_PER_PAGE))

    def next_residents_page(self) -> None:
        self.state.residents_page += 1
        self.on_change()

    # --- session ---
    def toggle_resident(self, resident_id: str) -> None:
        self.state.selected ^= {resident_id}
        self.on_change()

    def pick_mode(self, mode: Mode) -> None:
        self.state.mode = None if self.state.mode is mode else mode
        self.on_change()

    def start(self) -> None:
        self.staff.choose(sorted(self.state.selected), self.state.mode)
        self.state.note = _("Music started.")
        self.on_change()

    def stop(self) -> None:
        self.staff.stop_session()
        self.state.note = _("Session stopped. Please fill in the observation.")
        self.state.panel = "observe"
        self.on_change()

    def distress(self) -> None:
        self.staff.distress_current()
        self.state.note = _("Song stopped. It is waiting in 'Songs to review'.")
        self.on_change()

    # --- observation ---
    def set_scale(self, name: str, value: float) -> None:
        self.state.scales[name] = max(0, min(100, int(round(value))))

    def toggle_reaction(self, name: str) -> None:
        assert name in REACTIONS
        self.state.reactions ^= {name}
        self.on_change()

    def save_observation(self) -> None:
        session_id = self.staff.last_session_id()
        if not session_id:
            self.state.note = _("No session to describe yet.")
        else:
            reactions = [r for r in REACTIONS if r in self.state.reactions]
            self.staff.save_observation(session_id, dict(self.state.scales), reactions)
            self.state.scales = {k: 50 for k in OBSERVATION_SCALES}
            self.state.reactions = set()
            self.state.note = _("Observation saved. Thank you.")
        self.on_change()

    # --- reports ---
    def pick_report_period(self, period: str) -> None:
        assert period in REPORT_PERIODS
        self.state.report_period = period
        self.load_report()

    def pick_report_who(self, resident_id: str | None) -> None:
        self.state.report_who = resident_id
        self.load_report()

    def load_report(self) -> None:
        """Ask the worker for the chosen report; one worker at a time, the latest choice wins."""
        self.state.report_error = ""
        if not self.state.report_loading:
            self.state.report_loading = True
            want = (self.state.report_period, self.state.report_who)
            self.run_bg(lambda: self.staff.dashboard(*want), lambda result: self._reported(want, result))
        self.on_change()

    def _reported(self, asked: tuple[str, str | None], result: object) -> None:
        self.state.report_loading = False
        if asked != (self.state.report_period, self.state.report_who):
            self.load_report()  # staff changed their mind meanwhile: fetch what is wanted now
            return
        if isinstance(result, Dashboard):
            self.state.report = result
        else:
            self.state.report = None
            self.state.report_error = _("Could not make the report: {e}").format(e=result)
        self.on_change()

    def report_shown(self) -> Dashboard | None:
        """The report to show: only one that matches the current choice (never last choice's numbers)."""
        r = self.state.report
        if r is None or self.state.report_loading:
            return None
        if (r.period, r.resident_id) != (self.state.report_period, self.state.report_who):
            return None
        return r

    # --- reviews ---
    def reviews(self) -> Sequence[ReviewItem]:
        return self.staff.pending_reviews()

    def resolve(self, review_id: str, add_to_avoid: bool) -> None:
        self.staff.resolve_review(review_id, add_to_avoid)
        self.state.note = _("Put on the avoid list.") if add_to_avoid else _("Dismissed.")
        self.on_change()

    # --- volume cap ---
    def pick_cap_resident(self, resident_id: str) -> None:
        self.state.cap_resident = resident_id
        for r in self.staff.residents():
            if r.resident_id == resident_id:
                self.state.cap_pct = r.volume_cap_pct
        self.on_change()

    def set_cap(self, value: float) -> None:
        self.state.cap_pct = max(10, min(100, int(round(value / 5) * 5)))

    def save_cap(self) -> None:
        if self.state.cap_resident:
            self.staff.set_volume_cap(self.state.cap_resident, self.state.cap_pct)
            self.state.note = _("Volume limit saved: {pct}%").format(pct=self.state.cap_pct)
            self.on_change()

    # --- library ---
    def rescan(self, progress: Callable[[int, int], None]) -> None:
        """``progress`` must hand over to the main loop (it is called from the worker)."""
        if self.state.scanning:
            return
        self.state.scanning = True
        self.state.scan_done = self.state.scan_total = 0
        self.state.note = _("Scanning the music library...")
        self.on_change()
        self.run_bg(lambda: self.staff.rescan(progress), self._scanned)

    def scan_progress(self, done: int, total: int) -> None:
        self.state.scan_done, self.state.scan_total = done, total
        self.on_change()

    def _scanned(self, result: object) -> None:
        self.state.scanning = False
        self.state.note = (
            str(result) if not isinstance(result, BaseException) else _("Scan failed: {e}").format(e=result)
        )
        self.on_change()

    # --- USB import ---
    def find_usb(self) -> None:
        self.state.busy = True
        self.state.note = _("Looking for a residents file on USB sticks...")
        self.on_change()
        self.run_bg(lambda: tuple(self.staff.usb_import_candidates()), self._found)

    def _found(self, result: object) -> None:
        self.state.busy = False
        if isinstance(result, BaseException):
            self.state.note = _("Could not read the USB stick: {e}").format(e=result)
        else:
            self.state.usb_candidates = tuple(cast("Sequence[str]", result))  # the worker's answer
            self.state.note = (
                _("Choose the file to check.") if result else _("No residents file found. Is the stick in?")
            )
        self.on_change()

    def usb_check(self, path: str) -> None:
        self._usb(path, dry_run=True)

    def usb_import(self) -> None:
        if self.state.usb_checked and self.state.usb_path:
            self._usb(self.state.usb_path, dry_run=False)

    def usb_confirm_safety(self) -> None:
        """The second confirmation: apply the import with its changes that lower safety."""
        if self.state.usb_confirm and self.state.usb_path:
            self._usb(self.state.usb_path, dry_run=False, accept_safety=True)

    def _usb(self, path: str, dry_run: bool, accept_safety: bool = False) -> None:
        self.state.busy = True
        self.state.usb_path = path
        self.state.usb_checked = False
        self.state.usb_confirm = False
        self.state.note = _("Checking...") if dry_run else _("Importing...")
        self.on_change()

        def done(result: object) -> None:
            self.state.busy = False
            if isinstance(result, ImportResult):
                self.state.usb_result = result
                self.state.usb_checked = dry_run and result.ok
                self.state.usb_confirm = result.needs_confirmation
                self.state.note = "\n".join(result.messages)
            else:
                self.state.note = _("Import failed: {e}").format(e=result)
            self.on_change()

        self.run_bg(lambda: self.staff.usb_import(path, dry_run, accept_safety), done)

    # --- attention / system ---
    def refresh_attention(self) -> None:
        self.run_bg(lambda: tuple(self.staff.attention_notes()), self._attention)

    def _attention(self, result: object) -> None:
        message = self.session_message()
        if isinstance(result, BaseException):
            notes: tuple[str, ...] = (_("Could not run the checks: {e}").format(e=result),)
        else:
            notes = tuple(cast("Sequence[str]", result))  # the worker's answer
        notes = ((message,) if message else ()) + notes
        self.state.attention = notes or (_("All checks passed."),)
        self.on_change()

    def restart(self) -> None:
        result = self.staff.restart()
        self.state.note = result.note or _("Restarting...")
        self.on_change()

    def power_off(self) -> None:
        result = self.staff.power_off()
        self.state.note = result.note or _(
            "Shutting down. Wait for the green light to stop before unplugging."
        )
        self.on_change()
