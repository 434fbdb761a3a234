"""The real :class:`kiosk.app.staff_api.StaffActions`: what the staff screen does, over ports.

Built by :mod:`kiosk.wiring`, which injects the adapters (:class:`StaffPorts`). Calls marked "worker" in the
Protocol run on a background thread: the ports they use open their own :class:`DataFolder` (its ``flock``
excludes other threads and processes alike), never the UI thread's. Songs stopped with "this song upsets" are
kept in a :class:`~kiosk.app.ports.ReviewStore` until staff decide, so a restart or a power cut does not lose
them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from kiosk.app.dashboard import Present, build_dashboard
from kiosk.app.library import scan_summary
from kiosk.app.ports import (
    CalmAhead,
    ClockSetting,
    DashboardSource,
    FindImportFiles,
    Observations,
    PowerControl,
    ResidentRecords,
    Reviews,
    ReviewStore,
    Scan,
    StaffJournal,
    StaffResidents,
    VoiceControl,
)
from kiosk.app.residents_import import import_file
from kiosk.app.staff_api import (
    ClockReading,
    Dashboard,
    ImportResult,
    Progress,
    ReviewItem,
    SessionActions,
    SessionRef,
    SystemResult,
)
from kiosk.config import Config
from kiosk.domain.calm_ahead import with_slot
from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.events import OBSERVATION_FORM, OBSERVATION_SCALES, REACTIONS, RESTLESS_NOW, EventType
from kiosk.domain.intents import SessionView, Source
from kiosk.domain.models import Mode
from kiosk.domain.ports import Clock, SessionControl
from kiosk.domain.schedule import format_schedule, parse_schedule
from kiosk.domain.voice import VoiceSwitches
from kiosk.errors import UserError

log = logging.getLogger(__name__)

DASHBOARD_DIR = "dashboard"  # the staff screen's chart PNGs, under the data folder


def _review_id(item: Mapping[str, Any]) -> str:
    return f"{item.get('session_id')}:{item.get('song_id')}:{item.get('resident_id') or '-'}"


@dataclass(frozen=True)
class StaffPorts:
    """The outside world staff actions reach, each an adapter chosen by :mod:`kiosk.wiring`."""

    review_store: ReviewStore
    attention: Callable[[], Sequence[str]]  # notes kept for staff (a store restored, ...): messages only
    scan: Scan  # worker: rescan the music library (its own DataFolder)
    find_import_files: FindImportFiles  # worker: residents files on mounted sticks
    records: Callable[[], ResidentRecords]  # worker: the residents store for an import (its own DataFolder)
    dashboard: DashboardSource  # worker: report figures and chart PNGs
    present: Present  # the dashboard's figures in the kiosk's language (the UI's wording)
    system: PowerControl  # restart / power off
    calm_ahead: Callable[[], CalmAhead] | None = None  # worker: "Restless now" notes, proposals, acceptances
    voice: VoiceControl | None = None  # the kiosk-wide voice switches (None: this kiosk has no voice parts)
    clock: ClockSetting | None = (
        None  # the wall clock staff set (None: a clock that cannot be set, e.g. a test's)
    )


class KioskStaff(SessionActions):
    """Implements :class:`kiosk.app.staff_api.StaffActions`."""

    control: SessionControl
    store: StaffResidents

    def __init__(
        self,
        config: Config,
        data_dir: Path,
        control: SessionControl,
        reviews: Reviews,
        clock: Clock,
        residents: StaffResidents,
        rollups: Observations,
        journal: StaffJournal,
        ports: StaffPorts,
        usb_root: Path | None = None,
        checks: Callable[[], Sequence[str]] | None = None,
    ):
        self.config = config
        self.data_dir = Path(data_dir)
        self.control = control
        self.reviews = reviews
        self.clock = clock
        self.store = residents
        self.rollups = rollups
        self.journal = journal
        self.ports = ports
        self.usb_root = usb_root
        self._checks = checks
        self._seen_pending = 0
        self._last_session: tuple[str, tuple[str, ...], str] | None = None  # id, resident ids, started at
        control.subscribe(self._on_view)

    # -- following the engine (main loop) --

    def _on_view(self, _view: SessionView) -> None:
        session = self.reviews.current_session()
        if session is not None:
            self._last_session = session
        pending = self.reviews.pending_reviews()
        if len(pending) != self._seen_pending:
            self._seen_pending = len(pending)
            self._persist_reviews(pending)

    def _persist_reviews(self, pending: Sequence[Mapping[str, Any]]) -> None:
        try:
            self.ports.review_store.add_new([{**item, "review_id": _review_id(item)} for item in pending])
        except OSError:
            log.warning("could not store a song to review", exc_info=True)

    # -- sessions --

    def pending_reviews(self) -> Sequence[ReviewItem]:
        self._persist_reviews(self.reviews.pending_reviews())
        items = []
        for doc in self.ports.review_store.all():
            resident = self.store.get(doc["resident_id"]) if doc.get("resident_id") else None
            items.append(
                ReviewItem(
                    review_id=str(doc["review_id"]),
                    resident_id=doc.get("resident_id"),
                    resident_name=resident.display_name if resident else "",
                    song_title=str(doc.get("title", "")),
                    artist=str(doc.get("artist", "")),
                    at=str(doc.get("at", "")),
                )
            )
        return items

    def resolve_review(self, review_id: str, add_to_avoid: bool) -> None:
        docs = self.ports.review_store.take(review_id)
        for doc in docs:
            resident_id = doc.get("resident_id")
            if add_to_avoid and resident_id:
                self.store.add_avoid_song(resident_id, str(doc.get("title", "")))
            self.journal.append(
                EventType.AVOID_CHANGE,
                resident_id=resident_id,
                song_id=doc.get("song_id"),
                source=Source.STAFF,
                detail={"action": "added" if add_to_avoid and resident_id else "dismissed"},
            )
            self.reviews.resolve_review(cast(str, doc.get("song_id")))  # as the engine stored it
        self._seen_pending = len(self.reviews.pending_reviews())

    def last_session_id(self) -> str | None:
        return self._last_session[0] if self._last_session else None

    def last_session(self) -> SessionRef | None:
        if self._last_session is None:
            return None
        session_id, ids, started_at = self._last_session
        people = [self.store.get(rid) for rid in ids]
        names = tuple(p.display_name for p in people if p is not None)
        recorded = not ids or any(p is None or p.journaled for p in people)
        return SessionRef(session_id, names, started_at, recorded)

    def save_observation(self, session_id: str, scales: dict[str, int], reactions: list[str]) -> None:
        resident_ids: tuple[str, ...] = ()
        if self._last_session and self._last_session[0] == session_id:
            resident_ids = self._last_session[1]
        consenting = [rid for rid in resident_ids if (r := self.store.get(rid)) is None or r.journaled]
        if resident_ids and not consenting:
            return  # nobody in this session agreed to be recorded
        now = self.clock.now().isoformat(timespec="seconds")
        self.rollups.add_observation(
            now,
            {
                "session_id": session_id,
                "resident_ids": consenting,
                "at": now,
                "form": OBSERVATION_FORM,  # scales a person left alone are absent (older forms stored 50)
                "scales": {k: int(v) for k, v in scales.items() if k in OBSERVATION_SCALES and v is not None},
                "reactions": [r for r in reactions if r in REACTIONS],
                "by": "staff",
            },
        )

    def restless_now(self, resident_id: str, start_relax: bool) -> bool:
        resident = self.store.get(resident_id)
        recorded = resident is not None and resident.journaled
        if recorded:
            now = self.clock.now().isoformat(timespec="seconds")
            doc: dict[str, Any] = {
                "session_id": None,
                "resident_ids": [resident_id],
                "at": now,
                "form": OBSERVATION_FORM,
                "kind": RESTLESS_NOW,
                "scales": {},
                "reactions": ["restless"],
                "by": "staff",
            }
            self.rollups.add_observation(now, doc)
            self.journal.append(
                EventType.OBSERVATION,
                resident_id=resident_id,
                source=Source.STAFF,
                detail={k: v for k, v in doc.items() if k != "session_id"},
            )
        if start_relax:
            self.choose([resident_id], Mode.RELAX)
        return recorded

    def calm_ahead_check(self, resident_id: str) -> str:
        resident = self.store.get(resident_id)
        if resident is None or not resident.journaled or self.ports.calm_ahead is None:
            return ""
        now = self.clock.now().astimezone()
        calm = self.ports.calm_ahead()
        calm.add_note(resident_id, now)
        proposal = calm.check(resident_id, now, resident.schedule, "staff screen")
        return proposal.text if proposal else ""

    def accept_schedule(self, resident_id: str, slot: str) -> str:
        resident = self.store.get(resident_id)
        if resident is None or self.ports.calm_ahead is None:
            return "This resident is no longer on the kiosk."
        try:
            (new,) = parse_schedule(slot)
        except ValueError as exc:
            return str(exc)
        schedule = with_slot(resident.schedule, new)
        self.store.edit(resident_id, source="calm ahead (staff screen)", schedule=schedule)
        if resident.journaled:
            self.ports.calm_ahead().accepted(resident_id, slot, self.clock.now().astimezone(), "staff screen")
        return (
            f"Relax {format_schedule((new,)).removesuffix(' relax')} added to {resident.display_name}'s day."
        )

    def set_volume_cap(self, resident_id: str, pct: int) -> None:
        """A single edit: applied at once (no second step), recorded in the profile history."""
        self.store.edit(resident_id, volume_cap_pct=max(10, min(100, int(pct))))

    def voice(self) -> VoiceSwitches:
        if self.ports.voice is None:
            return VoiceSwitches(silent_because="the kiosk was started without its voice settings")
        return self.ports.voice.switches()

    def set_voice(self, changes: dict[str, object]) -> VoiceSwitches:
        if self.ports.voice is None:
            return self.voice()
        return self.ports.voice.set_switches(changes, self.clock.now())

    def set_resident_voice(self, resident_id: str, on: bool) -> None:
        """A single edit, like the volume limit: the engine re-reads the profile within a second."""
        self.store.edit(resident_id, voice=bool(on))

    # -- worker calls (background thread) --

    def rescan(self, progress_cb: Progress) -> str:
        try:
            report = self.ports.scan(progress_cb)
        except UserError as exc:
            return " ".join(exc.problems)
        return scan_summary(report)

    def usb_import_candidates(self) -> Sequence[str]:
        find = self.ports.find_import_files
        found = find(self.usb_root) if self.usb_root else find()
        return [str(p) for p in found]

    def usb_import(self, path: str, dry_run: bool, accept_safety: bool = False) -> ImportResult:
        try:
            plan, outcome = import_file(
                Path(path),
                self.ports.records(),
                dry_run=dry_run,
                accept_safety=accept_safety,
                date_order=self.config.residents.date_order,
            )
        except UserError as exc:
            return ImportResult(False, 0, tuple(exc.problems))
        safety = len(outcome.safety())
        if outcome.stopped:
            head = (
                f"Not imported yet: {safety} change(s) lower safety (listed below). "
                "Check them, then confirm them to import."
            )
            if outcome.withdrawn:
                head += " Consent withdrawn in this file was applied at once."
            return ImportResult(False, 0, (head, *outcome.lines()), needs_confirmation=True)
        if dry_run:
            head = "Check only: nothing changed yet."
            if safety:
                head += f" {safety} change(s) lower safety: you will be asked to confirm them."
        else:
            head = "Imported."
        return ImportResult(True, len(plan.residents), (head, *plan.notes, *outcome.lines()))

    def attention_notes(self) -> Sequence[str]:
        notes = list(self.config.problems)
        notes += list(self.ports.attention())
        if self.journal.problem:
            notes.append(self.journal.problem)
        if self._checks is not None:
            notes += list(self._checks())
        return notes

    def dashboard(self, period: str, resident_id: str | None, out_dir: Path | None = None) -> Dashboard:
        today = self.clock.now().astimezone().date()
        return build_dashboard(
            self.ports.dashboard,
            self.ports.present,
            period,
            resident_id,
            out_dir or self.data_dir / DASHBOARD_DIR,
            today,
        )

    # -- the Pi --

    def clock_reading(self) -> ClockReading:
        setting = self.ports.clock
        if setting is None:
            basis = ClockBasis.PLAUSIBLE if self.clock.trusted() else ClockBasis.UNTRUSTED
            return ClockReading(self.clock.now(), basis, can_set=False)
        return ClockReading(self.clock.now(), setting.basis())

    def set_clock(self, local: datetime) -> SystemResult:
        if self.ports.clock is None:
            return SystemResult(False, "The time cannot be set from this kiosk.")
        result = self.ports.clock.set_time(local)
        if result.ok:
            self.journal.append(EventType.STAFF, source=Source.STAFF, detail={"action": "clock_set"})
        return SystemResult(bool(result.ok), str(result.message))

    def restart(self) -> SystemResult:
        result = self.ports.system.reboot()
        return SystemResult(bool(result.ok), str(result.message))

    def power_off(self) -> SystemResult:
        result = self.ports.system.power_off()
        return SystemResult(bool(result.ok), str(result.message))

    def note_staff_event(self, action: str) -> None:
        self.journal.append(EventType.STAFF, source=Source.STAFF, detail={"action": action})
