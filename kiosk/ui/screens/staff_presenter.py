"""Staff mode: session control, observation form, engagement reports (today / last 7 days), distress reviews,
volume cap, the gentle voice (staff_voice_presenter), library rescan, USB import, "needs attention", setting the
clock (staff_clock_presenter) and restart/shut down. Slow calls run off the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import cast

from kiosk.app.staff_api import Dashboard, ImportResult, ReviewItem, StaffActions
from kiosk.domain.events import OBSERVATION_SCALES, REACTIONS
from kiosk.domain.intents import SessionView, Status
from kiosk.domain.models import Mode, Resident
from kiosk.ui.i18n import _
from kiosk.ui.screens.idle_presenter import MONTHS, WEEKDAYS
from kiosk.ui.screens.staff_clock_presenter import ClockPresenter
from kiosk.ui.screens.staff_voice_presenter import VoicePresenter

RunInBackground = Callable[[Callable[[], object], Callable[[object], None]], None]

MENU = "menu"  # the staff menu: a button for every panel
PANELS = (
    "session",
    "observe",
    "reports",
    "review",
    "volume",
    "voice",
    "library",
    "usb",
    "attention",
    "clock",
    "system",
)


def panel_titles() -> dict[str, str]:
    return {
        MENU: _("Staff menu"),
        "session": _("Session"),
        "observe": _("Observation"),
        "reports": _("Reports"),
        "review": _("Songs to review"),
        "volume": _("Volume limit"),
        "voice": _("Voice"),
        "library": _("Music library"),
        "usb": _("Residents from USB"),
        "attention": _("Needs attention"),
        "clock": _("Set the time"),
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
    scales: dict[str, int | None] = field(
        default_factory=lambda: dict.fromkeys(OBSERVATION_SCALES)
    )  # None: unset
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
    proposal_for: str = ""  # the resident a calm-ahead proposal is about
    proposal: str = ""  # "14:30-15:30 relax", waiting for staff to accept it


def when_words(at: str, now: datetime) -> str:
    """``at`` (ISO, any zone) in the kiosk's local time and in words, relative to ``now``."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local, today = moment.astimezone(), now.astimezone().date()
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} " + ("am" if local.hour < 12 else "pm")
    if local.date() == today:
        return _("today at {time}").format(time=clock)
    if local.date() == today - timedelta(days=1):
        return _("yesterday at {time}").format(time=clock)
    day = f"{_(WEEKDAYS[local.weekday()])} {local.day} {_(MONTHS[local.month - 1])}"
    return _("{day} at {time}").format(day=day, time=clock)


RESIDENTS_PER_PAGE = 7  # a grid of 4 x 2: seven names and "More people"
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
        *,
        now_view: Callable[[], SessionView | None] = lambda: None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.staff = staff
        self.session_message = session_message
        self.now_view = now_view
        self.now = now
        self.run_bg = run_bg
        self.on_change = on_change
        self.state = StaffState()
        self.voice = VoicePresenter(staff, on_change, self._set_note)
        self.clock = ClockPresenter(staff, run_bg, on_change, self._set_note)

    def _set_note(self, text: str) -> None:
        self.state.note = text

    # --- navigation ---
    def open_menu(self) -> None:
        self.open_panel(MENU)

    def open_panel(self, panel: str) -> None:
        assert panel in PANELS or panel == MENU
        self.state.panel = panel
        self.state.note = ""
        if panel == "attention":
            self.refresh_attention()
        if panel == "reports":
            self.load_report()
        if panel == "voice":
            self.voice.open(self.state.selected)
        if panel == "clock":
            self.clock.open()
        if panel == "volume" and not self.state.cap_resident:
            people = self.residents()
            if people:
                self.pick_cap_resident(people[0].resident_id)
        self.on_change()

    def residents(self) -> list[Resident]:
        return sorted(self.staff.residents(), key=lambda r: r.display_name.casefold())

    def residents_page(self) -> list[Resident]:
        """This page's residents: all of them when they fit one grid (no pager), else seven and "More people"."""
        people = self.residents()
        if len(people) <= RESIDENTS_PER_PAGE + 1:
            self.state.residents_page = 0
            return people
        self.state.residents_page %= self.residents_pages()
        start = self.state.residents_page * RESIDENTS_PER_PAGE
        return people[start : start + RESIDENTS_PER_PAGE]

    def residents_pages(self) -> int:
        count = len(self.residents())
        return 1 if count <= RESIDENTS_PER_PAGE + 1 else -(-count // RESIDENTS_PER_PAGE)

    def next_residents_page(self) -> None:
        self.state.residents_page += 1
        self.on_change()

    # --- session ---
    def names_of(self, resident_ids: Sequence[str]) -> str:
        names = {r.resident_id: r.display_name for r in self.staff.residents()}
        shown = [names[r] for r in resident_ids if r in names]
        return ", ".join(shown[:-1]) + (_(" and ") if len(shown) > 1 else "") + (shown[-1] if shown else "")

    def now_line(self) -> str:
        """What plays and for whom: "Now: In the Mood, for Peggy" (staff see it before stopping a song)."""
        view = self.now_view()
        if view is None or view.song is None or view.status not in (Status.PLAYING, Status.PAUSED):
            return _("Nothing is playing.")
        who = self.names_of(view.resident_ids)
        title = view.song.title + (" " + _("(paused)") if view.status is Status.PAUSED else "")
        if not who:
            return _("Now: {title}, the home's mix").format(title=title)
        return _("Now: {title}, for {who}").format(title=title, who=who)

    def playing(self) -> bool:
        view = self.now_view()
        return view is not None and view.song is not None and view.status in (Status.PLAYING, Status.PAUSED)

    def drumming_circle(self) -> bool:
        """Play along with nobody chosen: the lounge's drumming circle (every button a different instrument)."""
        return self.state.mode is Mode.PLAY_ALONG and not self.state.selected

    def start_word(self) -> str:
        if self.drumming_circle():
            return _("Start a drumming circle")
        if not self.state.selected:
            return _("Start music: the home's mix")
        if len(self.state.selected) > 2:
            return _("Start music for {n} people").format(n=len(self.state.selected))
        return _("Start music for {who}").format(who=self.names_of(sorted(self.state.selected)))

    def toggle_resident(self, resident_id: str) -> None:
        self.state.selected ^= {resident_id}
        self.on_change()

    def pick_mode(self, mode: Mode) -> None:
        self.state.mode = None if self.state.mode is mode else mode
        self.on_change()

    def start(self) -> None:
        self.staff.choose(sorted(self.state.selected), self.state.mode)
        self.state.note = (
            _("The drumming circle has started.") if self.drumming_circle() else _("Music started.")
        )
        self.on_change()

    def stop(self) -> None:
        self.staff.stop_session()
        self.state.note = _("Session stopped. Please fill in the observation.")
        self.state.panel = "observe"
        self.on_change()

    def distress(self) -> None:
        self.staff.distress_current()
        self.state.note = _(
            "Music stopped and the session ended. The song waits in 'Songs to review' and will not play "
            "for them until you decide."
        )
        self.on_change()

    # --- restless now / calm ahead ---
    def restless(self, start_relax: bool) -> None:
        """ "Restless now" for the one resident chosen above (optionally starting Relax for them)."""
        chosen = sorted(self.state.selected)
        if len(chosen) != 1:
            self.state.note = _("Choose the one resident who is restless first.")
            self.on_change()
            return
        rid = chosen[0]
        who = next((r.display_name for r in self.staff.residents() if r.resident_id == rid), "")
        recorded = self.staff.restless_now(rid, start_relax)
        if recorded:
            self.state.note = _("Noted: {who} restless now.").format(who=who)
            self.run_bg(lambda: self.staff.calm_ahead_check(rid), lambda result: self._proposed(rid, result))
        else:
            self.state.note = _("{who} chose not to be recorded: nothing was noted.").format(who=who)
        if start_relax:
            self.state.note += " " + _("Relax music started.")
        self.on_change()

    def _proposed(self, resident_id: str, result: object) -> None:
        if isinstance(result, str) and result:
            self.state.proposal_for, self.state.proposal = resident_id, result
            self.on_change()

    def proposal_text(self) -> str:
        if not self.state.proposal:
            return ""
        who = next(
            (r.display_name for r in self.staff.residents() if r.resident_id == self.state.proposal_for), ""
        )
        slot = self.state.proposal.removesuffix(" relax")
        return _("{who}: often restless then. Relax daily {slot}?").format(who=who, slot=slot)

    def accept_proposal(self) -> None:
        if self.state.proposal:
            self.state.note = self.staff.accept_schedule(self.state.proposal_for, self.state.proposal)
            self.state.proposal_for = self.state.proposal = ""
            if self.state.report_who:
                self.load_report()
        self.on_change()

    def dismiss_proposal(self) -> None:
        """Not now: the proposal stays in the reports (and the log) for the coordinator."""
        self.state.proposal_for = self.state.proposal = ""
        self.on_change()

    def offer_proposal(self, resident_id: str, slot: str) -> None:
        """A proposal shown with a report (the Reports panel)."""
        self.state.proposal_for, self.state.proposal = resident_id, slot

    # --- observation ---
    def set_scale(self, name: str, value: float) -> None:
        """A person moved (or touched) this scale: from now on it has a value (until saved)."""
        self.state.scales[name] = max(0, min(100, int(round(value))))

    def scale_text(self, name: str) -> str:
        value = self.state.scales[name]
        title = scale_titles()[name]
        return _("{scale}: not set").format(scale=title) if value is None else f"{title}: {value}"

    def toggle_reaction(self, name: str) -> None:
        assert name in REACTIONS
        self.state.reactions ^= {name}
        self.on_change()

    def observed_text(self) -> str:
        """Who and which session the form is about: "About Alma, music from 1 Jun 10:05"."""
        about = self.staff.last_session()
        if about is None:
            return _("No session to describe yet.")
        who = ", ".join(about.names) or _("the home's mix")
        try:
            local = datetime.fromisoformat(about.started_at).astimezone()
            when = f"{local.day} {local:%b %H:%M}"
        except ValueError:
            when = "?"
        text = _("About {who}, music from {when}").format(who=who, when=when)
        if not about.recorded:
            text += " - " + _("they said no to recording: nothing can be saved")
        return text

    def can_save(self) -> bool:
        """Save waits until a person set a scale or ticked a reaction (an untouched form says nothing)."""
        about = self.staff.last_session()
        touched = any(v is not None for v in self.state.scales.values()) or bool(self.state.reactions)
        return touched and about is not None and about.recorded

    def save_word(self) -> str:
        about = self.staff.last_session()
        if about is None or not about.recorded:
            return _("Nothing to save for this session")
        return _("Save observation") if self.can_save() else _("Save (set a scale or tick a reaction first)")

    def save_observation(self) -> None:
        about = self.staff.last_session()
        if about is None:
            self.state.note = _("No session to describe yet.")
        elif self.can_save():
            reactions = [r for r in REACTIONS if r in self.state.reactions]
            scales = {k: v for k, v in self.state.scales.items() if v is not None}  # only what was set
            self.staff.save_observation(about.session_id, scales, reactions)
            self.state.scales = dict.fromkeys(OBSERVATION_SCALES)
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
            if result.resident_id and result.proposal:
                self.offer_proposal(result.resident_id, result.proposal)
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

    def when_words(self, at: str) -> str:
        """A review's time in local words: "today at 7:57 pm", "yesterday at 10:05 am", "Tuesday 1 December at
        ..."; a time that is not ISO is shown as it is."""
        return when_words(at, self.now())

    def avoid_word(self, item: ReviewItem) -> str:
        return _("Never play this for {who}").format(who=item.resident_name) if item.resident_id else ""

    def resolve(self, review_id: str, add_to_avoid: bool) -> None:
        self.staff.resolve_review(review_id, add_to_avoid)
        self.state.note = (
            _("It will not be played for them again.") if add_to_avoid else _("Kept: it can play again.")
        )
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

    def usb_label(self, path: str) -> str:
        """A file on a stick as staff know it: "residents.csv on KINGSTON" (never the Linux path)."""
        file = PurePath(path)
        root = getattr(self.staff, "usb_root", None) or "/media/kiosk-usb"  # where the kiosk mounts sticks
        stick = file.parent.name
        if file.is_relative_to(str(root)) and len(file.relative_to(str(root)).parts) > 1:
            stick = file.relative_to(str(root)).parts[0]
        return _("{file} on {stick}").format(file=file.name, stick=stick) if stick else file.name

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
