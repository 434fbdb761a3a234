"""The listening residents' profiles, as the session engine sees them: read once per choice of residents, and
read again when the residents store changed on disk (whoever changed it: the staff screen, a
``kiosk residents import`` in another process, a console).

This is the one place profile re-reading lives. The engine asks :meth:`Listeners.changed` from its pump; the
check itself (``stamp()``: a ``stat`` of the store's file in the real kiosk) runs at most once per
``check_every_s``, and profiles are re-read only when the stamp moved. What a change means (a lower volume limit,
consent withdrawn, a new avoid list) is the engine's business.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.domain.models import Resident

log = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0


@dataclass(frozen=True)
class ProfileChange:
    """One listening resident whose profile differs from the one the session was using."""

    resident_id: str
    old: Resident | None
    new: Resident | None

    @property
    def consent_withdrawn(self) -> bool:
        """Recording must stop for them: consent now "no", or the profile is gone (erased)."""
        was = self.old is None or self.old.journaled
        return was and (self.new is None or not self.new.journaled)


class Listeners:
    """Profiles of the residents listening now, cached between store changes.

    ``lookup(resident_id)`` reads one profile (None: no such resident); ``stamp()`` is any value that changes
    whenever the store may have changed (None: never re-read).
    """

    def __init__(
        self,
        lookup: Callable[[str], Resident | None] | None,
        stamp: Callable[[], object] | None = None,
        check_every_s: float = CHECK_EVERY_S,
    ):
        self._lookup = lookup
        self._stamp_of = stamp
        self.check_every_s = check_every_s
        self._people: dict[str, Resident | None] = {}
        self._stamp: object = None
        self._checked_at: float | None = None

    def forget(self) -> None:
        """A new choice of residents: read every profile afresh on first use."""
        self._people = {}
        self._stamp = self._read_stamp()

    def get(self, resident_id: str) -> Resident | None:
        """The cached profile (read now on first use; a failed read is retried next time)."""
        if resident_id not in self._people:
            if self._lookup is None:
                return None
            try:
                self._people[resident_id] = self._lookup(resident_id)
            except Exception:
                log.warning("resident lookup failed", exc_info=True)
                return None
        return self._people[resident_id]

    def changed(self, resident_ids: tuple[str, ...], now_s: float) -> list[ProfileChange]:
        """Profiles of ``resident_ids`` that changed on disk since they were read (checked at most once per
        ``check_every_s`` of the monotonic ``now_s``); the cache then holds the new ones."""
        if self._stamp_of is None or not resident_ids:
            return []
        if self._checked_at is not None and now_s - self._checked_at < self.check_every_s:
            return []
        self._checked_at = now_s
        stamp = self._read_stamp()  # taken before reading: a change during the read is seen next time
        if stamp is None or stamp == self._stamp:
            return []
        fresh: dict[str, Resident | None] = {}
        for rid in resident_ids:
            try:
                fresh[rid] = self._lookup(rid) if self._lookup is not None else None
            except Exception:  # half-written or locked: keep what we have, try again in a second
                log.warning("resident re-read failed", exc_info=True)
                return []
        self._stamp = stamp
        changes = [
            ProfileChange(rid, self._people.get(rid), new)
            for rid, new in fresh.items()
            if rid not in self._people or self._people[rid] != new
        ]
        self._people.update(fresh)
        return changes

    def _read_stamp(self) -> object:
        if self._stamp_of is None:
            return None
        try:
            return self._stamp_of()
        except Exception:
            log.warning("could not check the residents store", exc_info=True)
            return None
