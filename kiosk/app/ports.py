"""The contracts the use cases in :mod:`kiosk.app` need, beyond the domain's (:mod:`kiosk.domain.ports`).

Adapters implement them structurally (an adapter never imports :mod:`kiosk.app`), so every value crossing them
is a domain type or a plain one. :mod:`kiosk.wiring` picks the implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from kiosk.app.staff_api import Progress
from kiosk.domain.calm_ahead import Proposal
from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.models import Resident, ScheduleSlot, Song
from kiosk.domain.ports import Journal, ResidentStore
from kiosk.domain.profile_changes import FieldChange, PhotoPlan
from kiosk.domain.report import Period, Report
from kiosk.domain.voice import VoiceSwitches


class Reviews(Protocol):
    """The running session as staff see it (the session engine): songs stopped as upsetting, awaiting a
    decision, and which session an observation form is about."""

    def pending_reviews(self) -> list[dict[str, Any]]:
        """Distress stops not yet decided: dicts with ``song_id``, ``session_id``, ``resident_id``, ``title``..."""
        ...

    def resolve_review(self, song_id: str) -> None: ...

    def current_session(self) -> tuple[str, tuple[str, ...], str] | None:
        """(session_id, resident_ids, started_at ISO) of the session running now, or None between sessions."""
        ...


class ReviewStore(Protocol):
    """Songs awaiting a staff decision, kept on disk so that a restart or a power cut does not lose them."""

    def add_new(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Store the items (each with a ``review_id``) not stored yet. May raise OSError."""
        ...

    def all(self) -> list[dict[str, Any]]: ...

    def take(self, review_id: str) -> list[dict[str, Any]]:
        """Remove and return the stored items with this ``review_id``."""
        ...


class StaffResidents(ResidentStore, Protocol):
    """The residents store with the one change staff make from the screen (a resident's volume cap)."""

    def upsert(self, resident: Resident) -> None: ...

    def edit(self, resident_id: str, source: str = "staff screen", **changes: Any) -> Resident | None:
        """Change some fields of one profile at once, recorded in the profile history."""
        ...


class VoiceControl(Protocol):
    """The kiosk-wide voice switches on the staff screen, and why the kiosk does not speak."""

    def switches(self) -> VoiceSwitches: ...

    def set_switches(self, changes: Mapping[str, Any], at: datetime) -> VoiceSwitches:
        """Store the change and apply it to the running kiosk."""
        ...


class Observations(Protocol):
    """Where staff observation forms go (beside the session rollups)."""

    def add_observation(self, session_started_at: str, observation: Mapping[str, Any]) -> None: ...


class CalmAhead(Protocol):
    """Calm ahead's notes and log (:class:`kiosk.adapters.calm_ahead_store.CalmAheadStore`)."""

    def add_note(self, resident_id: str, at: datetime) -> None: ...

    def check(
        self, resident_id: str, now: datetime, schedule: Sequence[ScheduleSlot], source: str
    ) -> Proposal | None: ...

    def accepted(self, resident_id: str, slot_text: str, now: datetime, source: str) -> None: ...


class StaffJournal(Journal, Protocol):
    """The journal, plus what staff are told when it stopped (a full or read-only disk)."""

    problem: str | None


class ActionOutcome(Protocol):
    """What a power action did: ``ok`` and a message for staff."""

    @property
    def ok(self) -> bool: ...

    @property
    def message(self) -> str: ...


class PowerControl(Protocol):
    """Restart and power off the Pi (through logind); never raises."""

    def reboot(self) -> ActionOutcome: ...

    def power_off(self) -> ActionOutcome: ...


class ClockSetting(Protocol):
    """The wall clock as staff see and set it: its trust basis, and setting it (through timedated)."""

    def basis(self) -> ClockBasis: ...

    def set_time(self, local: datetime) -> ActionOutcome:
        """Set the system clock to ``local`` (naive local time); on success record that staff set it during
        this boot (so the clock counts as trusted). Never raises."""
        ...


class ScanFigures(Protocol):
    """What a library scan found (the figures its one-line summary needs)."""

    @property
    def music_dir(self) -> str: ...

    @property
    def songs(self) -> int: ...

    @property
    def read(self) -> int: ...

    @property
    def unchanged(self) -> int: ...

    @property
    def added(self) -> int: ...

    @property
    def removed(self) -> int: ...

    @property
    def moved(self) -> int: ...


Scan = Callable[[Progress], ScanFigures]  # rescan the music library (raises UserError on a bad folder)
FindImportFiles = Callable[..., Sequence[Path]]  # residents files on mounted sticks: (mount_root) or ()
HistoryLoader = Callable[[list[str], datetime], dict[str, list[dict[str, Any]]]]  # resident_id -> plays

# What an import decided, for the records to write under their lock: the profiles to store (with a new photo's
# JPEG, or None), each changed profile's field changes (for the history), and the ids of profiles added.
ImportWrite = tuple[list[tuple[Resident, bytes | None]], list[tuple[str, list[FieldChange]]], list[str]]
# Given the stored residents table ({key: document}, old lists already split), what to write.
ImportDecision = Callable[[dict[str, Any]], ImportWrite]


class ResidentRecords(Protocol):
    """The residents store and photos as a residents import sees them: stored documents read as they are
    (a re-import of 10,000 unchanged rows builds no profile), and one all-or-nothing change."""

    @property
    def root(self) -> Path:
        """The data folder (for messages)."""
        ...

    def photo_ref(self, resident_id: str) -> str:
        """The photo path a resident's profile names once a photo is stored."""
        ...

    def photo_plan(
        self, base: Path, name: str, stored: Mapping[str, Any] | None, real_dirs: dict[str, str]
    ) -> PhotoPlan:
        """The photo a row names; re-encoded only when it is not the picture ``stored`` holds (same file
        stamp, or same bytes). ValueError with a plain reason."""
        ...

    def reencode(self, src: Path) -> bytes:
        """A photo re-encoded for the kiosk (ValueError with a plain reason)."""
        ...

    def stored_docs(self) -> dict[str, Any]:
        """The stored residents table ({key: document}), old lists split in memory (nothing written)."""
        ...

    def resident_of(self, doc: Mapping[str, Any]) -> Resident | None:
        """The profile of a stored document (None when it is damaged)."""
        ...

    def unchanged(
        self, doc: Mapping[str, Any], fields: Mapping[str, Any], given: bool, photo: PhotoPlan | None
    ) -> bool:
        """Whether a row's ``fields`` (and photo, when the photo column is ``given``) leave ``doc`` as it is."""
        ...

    def change(self, decide: ImportDecision, source: str, now: datetime) -> None:
        """Under the data folder's lock: call ``decide`` with what is stored and write its answer at once
        (profiles in one atomic write, photos moved into place only after it, the changes into the profile
        history with ``source``). Nothing changes on failure."""
        ...

    def songs(self) -> Sequence[Song]:
        """The music library as scanned now (for what profiles do to it)."""
        ...


class DashboardSource(Protocol):
    """The report over the data folder's rollups, and its charts drawn for the kiosk screen."""

    def report(self, period: Period, resident_id: str | None, today: date | None) -> Report:
        """Figures for the period (for one resident only when ``resident_id`` is given), residents by name."""
        ...

    def label(self, resident_id: str) -> str:
        """How the staff screen names a resident."""
        ...

    def charts(self, report: Report, period: str, out_dir: Path, resident_id: str | None) -> list[Path]:
        """Render the staff screen's charts as PNGs (0600) into ``out_dir``, in display order."""
        ...
