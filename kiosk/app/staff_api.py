"""What staff mode needs from the rest of the kiosk: one Protocol (implemented by :class:`kiosk.app.staff.KioskStaff`,
built in kiosk/wiring.py) and its result types. Their wording is translated in the UI (:mod:`kiosk.ui.i18n`).

Every call is made from the UI thread except the ones marked "worker": the UI runs those in a background
thread (they may take seconds) and hands their result back to the main loop. Because one thread owns each
store in a process (TinyDB is not thread-safe), worker calls that write a store are best done in a child
process (``kiosk scan``, ``kiosk residents import FILE [--dry-run]``, ``kiosk doctor``) under the data
folder's lock, reading its progress and messages from its output. Nothing here returns personal
data the screen does not show anyway (first names, song titles).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.intents import Intent, Source
from kiosk.domain.models import Mode, Resident
from kiosk.domain.voice import VoiceSwitches

Progress = Callable[[int, int], None]  # (done, total); total 0 = unknown yet


class _Posts(Protocol):
    def post(self, intent: Intent, source: Source, arg: object = None) -> None: ...


class _ListsResidents(Protocol):
    def all(self) -> Sequence[Resident]: ...


class SessionActions:
    """Staff's session calls, posted to the engine as intents: shared by the kiosk's staff actions and the
    demo's (they differ in what stands behind ``control`` and ``store``)."""

    control: _Posts
    store: _ListsResidents

    def residents(self) -> Sequence[Resident]:
        return self.store.all()

    def choose(self, resident_ids: Sequence[str], mode: Mode | None) -> None:
        if mode is not None:
            self.control.post(Intent.CHOOSE_MODE, Source.STAFF, mode)
        self.control.post(Intent.CHOOSE_RESIDENTS, Source.STAFF, tuple(resident_ids))

    def stop_session(self) -> None:
        self.control.post(Intent.STOP, Source.STAFF)

    def distress_current(self) -> None:
        self.control.post(Intent.DISTRESS, Source.STAFF)


@dataclass(frozen=True)
class ReviewItem:
    """A song stopped with "this song upsets", waiting for staff to decide."""

    review_id: str
    resident_id: str | None
    resident_name: str  # display name, "" for the home's mix
    song_title: str
    artist: str = ""
    at: str = ""  # when, ISO or a human string


@dataclass(frozen=True)
class SessionRef:
    """The session an observation form is about: who listened and when it started."""

    session_id: str
    names: tuple[str, ...]  # the residents' display names; empty: the home's mix
    started_at: str  # ISO time (UTC) the session started
    recorded: bool = True  # False: nobody in it agreed to be recorded, so no observation can be stored


@dataclass(frozen=True)
class ImportResult:
    """Result of a residents import (dry run or real): ``ok`` and the lines to show staff."""

    ok: bool
    count: int = 0
    messages: tuple[str, ...] = field(default_factory=tuple)
    needs_confirmation: bool = False  # changes lowering safety wait for staff to confirm them


@dataclass(frozen=True)
class SystemResult:
    """What restart / power off did: ``done`` False on a desktop (then ``note`` says what to do)."""

    done: bool
    note: str = ""


@dataclass(frozen=True)
class ClockReading:
    """The kiosk's clock as the "Set the time" panel shows it: the time now (UTC) and why it is believed."""

    now: datetime
    basis: ClockBasis
    can_set: bool = True  # False: this kiosk was started without a clock staff can set


@dataclass(frozen=True)
class Dashboard:
    """The staff screen's "Today" / "Last 7 days" for the whole home (``resident_id`` None) or one resident:
    figures as (label, value) strings ready to show, and chart PNGs (in display order) for a Kivy Image."""

    period: str  # "today" | "7d"
    resident_id: str | None
    heading: str  # e.g. "Whole home, 21 Nov - 27 Nov"
    figures: tuple[tuple[str, str], ...]
    charts: tuple[Path, ...] = ()
    sentences: tuple[str, ...] = ()  # one resident's "what works" (kiosk.domain.insight), shown first
    proposal: str = ""  # a calm-ahead relax slot waiting to be accepted ("14:30-15:30 relax"), or ""


DASHBOARD_RUNS_KEPT = 2  # the run on screen and the one replacing it


def dashboard_run_dir(base: Path) -> Path:
    """A fresh folder (0700) under ``base`` for one dashboard's PNGs; older runs are removed.

    A new folder per run gives every chart a new path, so Kivy's image cache never shows a stale chart.
    """
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    runs = sorted(
        (p for p in base.glob("run-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns, reverse=True
    )
    for old in runs[DASHBOARD_RUNS_KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=base))  # mkdtemp makes it 0700


class StaffActions(Protocol):
    def residents(self) -> Sequence[Resident]:
        """Everyone staff may choose (same list as the lounge picker)."""
        ...

    def choose(self, resident_ids: Sequence[str], mode: Mode | None) -> None:
        """Start (or switch) a session for these residents (empty: the home's mix) in ``mode``."""
        ...

    def stop_session(self) -> None: ...

    def distress_current(self) -> None:
        """ "This song upsets": stop it now and queue it for review."""
        ...

    def pending_reviews(self) -> Sequence[ReviewItem]: ...

    def resolve_review(self, review_id: str, add_to_avoid: bool) -> None: ...

    def last_session_id(self) -> str | None:
        """The session the observation form is about (the one running or the last ended), or None."""
        ...

    def last_session(self) -> SessionRef | None:
        """The same session as :meth:`last_session_id`, with who listened and when (for the form's heading)."""
        ...

    def save_observation(self, session_id: str, scales: dict[str, int], reactions: list[str]) -> None:
        """Store the staff observation: only the scales a person set (kiosk.domain.events OBSERVATION_SCALES,
        0-100; a scale left alone is absent, never a default) and the REACTIONS ticked."""
        ...

    def set_volume_cap(self, resident_id: str, pct: int) -> None: ...

    def restless_now(self, resident_id: str, start_relax: bool) -> bool:
        """ "Restless now" for a resident, at any time: journaled as an observation outside a session (unless
        their consent is "no"); ``start_relax`` starts Relax for them (always, whatever their consent).
        Returns whether the note was recorded."""
        ...

    def calm_ahead_check(self, resident_id: str) -> str:
        """Worker: remember the note for the calm-ahead rule; the relax slot it proposes now (logged when new),
        e.g. "14:30-15:30 relax", or "" (also "" for a consent-"no" resident: nothing is proposed)."""
        ...

    def accept_schedule(self, resident_id: str, slot: str) -> str:
        """Add a proposed slot to the resident's schedule (a single staff edit, like the volume limit) (replacing slots it overlaps), record it in
        the profile history and the calm-ahead log; returns the line to show staff."""
        ...

    def voice(self) -> VoiceSwitches:
        """The kiosk-wide voice switches (staff's, else kiosk.toml's) and why the kiosk does not speak."""
        ...

    def set_voice(self, changes: dict[str, object]) -> VoiceSwitches:
        """Switch kiosk-wide voice features (names in kiosk.domain.voice.SWITCH_NAMES): stored, and applied to
        the running kiosk at once."""
        ...

    def set_resident_voice(self, resident_id: str, on: bool) -> None:
        """The resident's own voice switch: applied at once, recorded in the profile history."""
        ...

    def rescan(self, progress_cb: Progress) -> str:
        """Worker: rescan the music library, calling ``progress_cb``; returns a one-line summary."""
        ...

    def usb_import_candidates(self) -> Sequence[str]:
        """Worker: residents files (CSV/JSON) found on mounted removable media."""
        ...

    def usb_import(self, path: str, dry_run: bool, accept_safety: bool = False) -> ImportResult:
        """Worker: import residents from ``path`` (all or nothing); ``dry_run`` only checks. Changes that lower
        safety need ``accept_safety`` (staff's second confirmation), else ``needs_confirmation`` comes back."""
        ...

    def clock_reading(self) -> ClockReading:
        """The clock's reading now and whether it is trusted, and on what grounds."""
        ...

    def set_clock(self, local: datetime) -> SystemResult:
        """Worker: set the system clock to ``local`` (naive, the kiosk's local time as read off a wall clock);
        on success the clock counts as set by staff for this boot. ``note`` says what happened."""
        ...

    def restart(self) -> SystemResult: ...

    def power_off(self) -> SystemResult: ...

    def attention_notes(self) -> Sequence[str]:
        """Worker: what doctor would report (bad config, store restored, no audio, disk nearly full)."""
        ...

    def dashboard(self, period: str, resident_id: str | None, out_dir: Path | None = None) -> Dashboard:
        """Worker: "today" or "7d" figures and chart PNGs for the whole home (``resident_id`` None) or one
        resident. PNGs go under ``out_dir`` (default: the kiosk's own folder for them), 0600."""
        ...

    def note_staff_event(self, action: str) -> None:
        """Journal a staff event (login, login_failed, lockout, ...) with no personal data."""
        ...
