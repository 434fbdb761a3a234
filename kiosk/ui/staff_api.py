"""What staff mode needs from the rest of the kiosk: one Protocol, implemented in kiosk/wiring.py.

Every call is made from the UI thread except the ones marked "worker": the UI runs those in a background
thread (they may take seconds) and hands their result back to the main loop. Because one thread owns each
store in a process (TinyDB is not thread-safe), worker calls that write a store are best done in a child
process (``kiosk scan``, ``kiosk residents import FILE [--dry-run]``, ``kiosk doctor``) under the data
folder's lock, reading its progress and messages from its output. Nothing here returns personal
data the screen does not show anyway (first names, song titles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.domain.models import Mode, Resident

Progress = Callable[[int, int], None]  # (done, total); total 0 = unknown yet


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
class ImportResult:
    """Result of a residents import (dry run or real): ``ok`` and the lines to show staff."""

    ok: bool
    count: int = 0
    messages: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SystemResult:
    """What restart / power off did: ``done`` False on a desktop (then ``note`` says what to do)."""

    done: bool
    note: str = ""


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

    def save_observation(self, session_id: str, scales: dict[str, int], reactions: list[str]) -> None:
        """Store the staff observation (kiosk.domain.events OBSERVATION_SCALES 0-100, REACTIONS)."""
        ...

    def set_volume_cap(self, resident_id: str, pct: int) -> None: ...

    def rescan(self, progress_cb: Progress) -> str:
        """Worker: rescan the music library, calling ``progress_cb``; returns a one-line summary."""
        ...

    def usb_import_candidates(self) -> Sequence[str]:
        """Worker: residents files (CSV/JSON) found on mounted removable media."""
        ...

    def usb_import(self, path: str, dry_run: bool) -> ImportResult:
        """Worker: import residents from ``path`` (all or nothing); ``dry_run`` only checks."""
        ...

    def restart(self) -> SystemResult: ...

    def power_off(self) -> SystemResult: ...

    def attention_notes(self) -> Sequence[str]:
        """Worker: what doctor would report (bad config, store restored, no audio, disk nearly full)."""
        ...

    def note_staff_event(self, action: str) -> None:
        """Journal a staff event (login, login_failed, lockout, ...) with no personal data."""
        ...
