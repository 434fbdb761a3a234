"""The real :class:`kiosk.ui.staff_api.StaffActions`: what the staff screen does, over the kiosk's real parts.

Built by :mod:`kiosk.wiring`. Calls marked "worker" in the Protocol run on a background thread: they use their
own :class:`DataFolder` (its ``flock`` excludes other threads and processes alike), never the UI thread's.
Songs stopped with "this song upsets" are kept in the store "reviews" until staff decide, so a restart or a
power cut does not lose them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.adapters import attention
from kiosk.adapters import reviews as reviews_store
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.rollups import RollupStore, RollupWriter
from kiosk.config import Config
from kiosk.domain.events import OBSERVATION_FORM, OBSERVATION_SCALES, REACTIONS, EventType
from kiosk.domain.intents import Intent, SessionView, Source
from kiosk.domain.models import Mode, Resident
from kiosk.errors import UserError
from kiosk.ui.staff_api import (
    Dashboard,
    ImportResult,
    Progress,
    ReviewItem,
    SessionRef,
    SystemResult,
    dashboard_from_figures,
    dashboard_run_dir,
)

log = logging.getLogger(__name__)

REVIEWS = reviews_store.STORE
DASHBOARD_DIR = "dashboard"  # the staff screen's chart PNGs, under the data folder


def build_dashboard(
    data_dir: Path, period: str, resident_id: str | None, out_dir: Path, today: date | None = None
) -> Dashboard:
    """The staff screen's figures and charts from the data folder's rollups (worker thread: own DataFolder)."""
    from kiosk.adapters.report_dashboard import dashboard_figures, render_dashboard

    if period not in ("today", "7d"):
        raise ValueError(f"period must be 'today' or '7d', not {period!r}")
    figures = dashboard_figures(data_dir, period, resident_id, today)  # type: ignore[arg-type]
    if resident_id and not figures["resident"]["label"]:  # no music in this time: still say who it is about
        from kiosk.adapters.report_build import make_labels

        figures["resident"]["label"] = make_labels(DataFolder(data_dir), pseudonymised=False).label(
            resident_id
        )
    charts = render_dashboard(data_dir, period, dashboard_run_dir(out_dir), resident_id, today)  # type: ignore[arg-type]
    return dashboard_from_figures(figures, charts, period, resident_id)


def _review_id(item: dict[str, Any]) -> str:
    return f"{item.get('session_id')}:{item.get('song_id')}:{item.get('resident_id') or '-'}"


class KioskStaff:
    """Implements :class:`kiosk.ui.staff_api.StaffActions`."""

    def __init__(
        self,
        config: Config,
        data_dir: Path,
        engine: Any,
        residents: ResidentsStore,
        rollups: RollupStore | RollupWriter,
        journal: JsonlJournal,
        usb_root: Path | None = None,
        system: Any = None,
        checks: Callable[[], Sequence[str]] | None = None,
    ):
        self.config = config
        self.data_dir = Path(data_dir)
        self.data = DataFolder(self.data_dir)
        self.engine = engine
        self.store = residents
        self.rollups = rollups
        self.journal = journal
        self.usb_root = usb_root
        self._system = system
        self._checks = checks
        self._seen_pending = 0
        self._last_session: tuple[str, tuple[str, ...], str] | None = None  # id, resident ids, started at
        engine.subscribe(self._on_view)

    # -- following the engine (main loop) --

    def _on_view(self, _view: SessionView) -> None:
        session = getattr(self.engine, "session", None)
        if session is not None:
            self._last_session = (session.session_id, tuple(session.resident_ids), str(session.started_at))
        pending = self.engine.pending_reviews()
        if len(pending) != self._seen_pending:
            self._seen_pending = len(pending)
            self._persist_reviews(pending)

    def _persist_reviews(self, pending: Sequence[dict[str, Any]]) -> None:
        try:
            with self.data.write(REVIEWS) as db:
                table = db.table("reviews")
                known = {d.get("review_id") for d in table.all()}
                for item in pending:
                    rid = _review_id(item)
                    if rid not in known:
                        table.insert({**item, "review_id": rid})
        except OSError:
            log.warning("could not store a song to review", exc_info=True)

    # -- sessions --

    def residents(self) -> Sequence[Resident]:
        return self.store.all()

    def choose(self, resident_ids: Sequence[str], mode: Mode | None) -> None:
        if mode is not None:
            self.engine.post(Intent.CHOOSE_MODE, Source.STAFF, mode)
        self.engine.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, tuple(resident_ids))

    def stop_session(self) -> None:
        self.engine.post(Intent.STOP, Source.STAFF)

    def distress_current(self) -> None:
        self.engine.post(Intent.DISTRESS, Source.STAFF)

    def pending_reviews(self) -> Sequence[ReviewItem]:
        self._persist_reviews(self.engine.pending_reviews())
        items = []
        for doc in self.data.read(REVIEWS).table("reviews").all():
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
        with self.data.write(REVIEWS) as db:
            table = db.table("reviews")
            docs = [d for d in table.all() if d.get("review_id") == review_id]
            table.remove(doc_ids=[d.doc_id for d in docs])
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
            self.engine.resolve_review(doc.get("song_id"))
        self._seen_pending = len(self.engine.pending_reviews())

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
        now = self.engine.clock.now().isoformat(timespec="seconds")
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

    def set_volume_cap(self, resident_id: str, pct: int) -> None:
        resident = self.store.get(resident_id)
        if resident is None:
            return
        self.store.upsert(dataclasses.replace(resident, volume_cap_pct=max(10, min(100, int(pct)))))

    # -- worker calls (background thread) --

    def rescan(self, progress_cb: Progress) -> str:
        from kiosk.adapters.library_scan import scan_library
        from kiosk.commands.scan import format_report

        try:
            report = scan_library(DataFolder(self.data_dir), self.config.library.music_dir, progress_cb)
        except UserError as exc:
            return " ".join(exc.problems)
        lines = format_report(report)
        return lines[1] if len(lines) > 1 else lines[0]

    def usb_import_candidates(self) -> Sequence[str]:
        from kiosk.adapters.usb import find_import_files

        found = find_import_files(self.usb_root) if self.usb_root else find_import_files()
        return [str(p) for p in found]

    def usb_import(self, path: str, dry_run: bool) -> ImportResult:
        from kiosk.residents_import import import_file

        try:
            plan, outcome = import_file(Path(path), DataFolder(self.data_dir), dry_run=dry_run)
        except UserError as exc:
            return ImportResult(False, 0, tuple(exc.problems))
        head = "Check only: nothing changed yet." if dry_run else "Imported."
        return ImportResult(True, len(plan.residents), (head, *plan.notes, *outcome.lines()))

    def attention_notes(self) -> Sequence[str]:
        notes = list(self.config.problems)
        notes += [str(n.get("message", "")) for n in attention.notes(self.data_dir)]
        if self.journal.problem:
            notes.append(self.journal.problem)
        if self._checks is not None:
            notes += list(self._checks())
        return notes

    def dashboard(self, period: str, resident_id: str | None, out_dir: Path | None = None) -> Dashboard:
        today = self.engine.clock.now().astimezone().date()
        return build_dashboard(
            self.data_dir, period, resident_id, out_dir or self.data_dir / DASHBOARD_DIR, today
        )

    # -- the Pi --

    def _system_result(self, action: str) -> SystemResult:
        system = self._system
        if system is None:
            from kiosk.adapters import system as system_module

            system = system_module
        result = getattr(system, action)()
        return SystemResult(bool(result.ok), str(result.message))

    def restart(self) -> SystemResult:
        return self._system_result("reboot")

    def power_off(self) -> SystemResult:
        return self._system_result("power_off")

    def note_staff_event(self, action: str) -> None:
        self.journal.append(EventType.STAFF, source=Source.STAFF, detail={"action": action})
