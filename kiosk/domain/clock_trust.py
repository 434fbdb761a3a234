"""The clock-trust rule: whether the wall clock may be believed, and on what grounds (pure).

A Pi has no battery clock unless one is fitted: after a power cut it starts at the last time fake-hwclock
saved (hours or days old) and stays there until a time server answers. A desktop may be run under a faked
clock. Records (journal events, rollups) carry ``clock_ok`` so that reports set doubtful times apart, and
retention deletes old records only under a clock that is known to be right. The rule (docs/guide/storage.md):

- a clock reading before 2024 is never trusted;
- trusted when it is synchronised (timesyncd / NTP), was read from a real-time clock at this boot, or was set
  by staff since this boot (recorded with the boot id);
- off a Pi only, also trusted when it is not behind the newest trusted record (``PLAUSIBLE``): the machine
  may run its own time service we cannot see, but we cannot know;
- retention may prune only on the first three grounds, never on ``PLAUSIBLE``, and only records older than
  the retention by that clock AND older than the newest trusted record by more than the retention
  (:func:`retention_cutoff`); records written under an untrusted clock are never pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

EARLIEST_TRUSTED = datetime(2024, 1, 1, tzinfo=UTC)
BACKWARDS_SLACK_S = 2.0  # a reading this far behind the newest trusted time counts as a step back


class ClockBasis(StrEnum):
    """Why the clock is (or is not) trusted."""

    SYNCHRONISED = "synchronised"  # a time server set it (timesyncd NTPSynchronized)
    RTC = "rtc"  # read from a real-time clock at boot
    STAFF_SET = "staff-set"  # staff set it on the staff screen since this boot
    PLAUSIBLE = "plausible"  # off a Pi: after 2024 and not behind the newest trusted record
    UNTRUSTED = "untrusted"

    @property
    def trusted(self) -> bool:
        return self is not ClockBasis.UNTRUSTED

    @property
    def may_prune(self) -> bool:
        """Whether retention may delete old records by this clock (never on the off-Pi fallback)."""
        return self in (ClockBasis.SYNCHRONISED, ClockBasis.RTC, ClockBasis.STAFF_SET)


@dataclass(frozen=True)
class ClockFacts:
    """What the system says about its clock (read by :class:`kiosk.adapters.clock.ClockTrust`)."""

    on_pi: bool
    synchronised: bool = False
    rtc: bool = False
    staff_set: bool = False  # set by staff since this boot


def judge(now: datetime, facts: ClockFacts, newest_trusted: datetime | None) -> ClockBasis:
    """The clock's basis at ``now``. ``newest_trusted`` is the newest time written with ``clock_ok: true``
    (stored records and this run's own), which only the off-Pi fallback needs."""
    if now < EARLIEST_TRUSTED:
        return ClockBasis.UNTRUSTED
    if facts.synchronised:
        return ClockBasis.SYNCHRONISED
    if facts.rtc:
        return ClockBasis.RTC
    if facts.staff_set:
        return ClockBasis.STAFF_SET
    if facts.on_pi:
        return ClockBasis.UNTRUSTED
    if newest_trusted is not None and (newest_trusted - now).total_seconds() > BACKWARDS_SLACK_S:
        return ClockBasis.UNTRUSTED
    return ClockBasis.PLAUSIBLE


def retention_cutoff(today: date, newest_trusted: date | None, retention_days: int) -> date:
    """Records dated before the returned day may be pruned: older than ``retention_days`` by today's date AND
    by the newest trusted record's (a clock running years ahead then deletes nothing it should keep)."""
    reference = today if newest_trusted is None else min(today, newest_trusted)
    return reference - timedelta(days=max(0, retention_days))


def newest_trusted_after(start: datetime | None, elapsed_s: float) -> datetime | None:
    """The newest trusted record found at start, moved on by the real (monotonic) time since: how far the
    records can honestly have advanced, whatever the wall clock says meanwhile."""
    return None if start is None else start + timedelta(seconds=max(0.0, elapsed_s))
