"""The real clock, and whether to trust it (the rule itself is :mod:`kiosk.domain.clock_trust`).

:class:`ClockTrust` gathers what the system says: synchronised (the kernel's NTP state, as timedated's
``NTPSynchronized`` reads it, or timesyncd's marker file), read from a real-time clock at boot, set by staff
since this boot (``<data>/clock-set.json`` holds the boot id), on a Pi or not, and the newest trusted record
in the data folder. Each probe can be injected (tests; a container reports its host's NTP state). The facts
are read again at most every ``refresh_s`` seconds, so asking ``trusted()`` per event stays cheap.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kiosk.adapters import system
from kiosk.adapters.atomic import atomic_write_bytes
from kiosk.adapters.system import ActionResult
from kiosk.domain.clock_trust import ClockBasis, ClockFacts, judge

log = logging.getLogger(__name__)

TIMESYNC_MARKER = Path("/run/systemd/timesync/synchronized")
RTC_CLASS = Path("/sys/class/rtc")
RTC_MARKER = Path("/run/encore/clock-from-rtc")  # written by a boot unit after `hwclock --hctosys` succeeded
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
DEVICE_MODEL = Path("/proc/device-tree/model")
STAFF_SET_FILE = "clock-set.json"
NTP_MAX_ERROR_US = 16_000_000  # timedated: synchronised while the kernel's maximum error is below 16 s

Probe = Callable[[], bool]


class _Timex(ctypes.Structure):
    # struct timex up to maxerror; the rest is room for the kernel to write into
    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("_rest", ctypes.c_char * 256),
    ]


def kernel_ntp_synchronised() -> bool:
    """The kernel's NTP state (``adjtimex``), the same test timedated uses for ``NTPSynchronized``."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        timex = _Timex()
        if libc.adjtimex(ctypes.byref(timex)) < 0:
            return False
        return 0 <= int(timex.maxerror) < NTP_MAX_ERROR_US
    except (OSError, AttributeError):
        return False


def clock_synchronised(marker: Path = TIMESYNC_MARKER) -> bool:
    """True once a time server set the clock: timesyncd's marker (made at its first sync since boot) or
    the kernel's NTP state (chrony, ntpd, or timesyncd before its marker)."""
    return marker.exists() or kernel_ntp_synchronised()


def clock_from_rtc(rtc_class: Path = RTC_CLASS, marker: Path = RTC_MARKER) -> bool:
    """True when the clock was read from a battery-backed real-time clock at this boot: the kernel did it
    (``/sys/class/rtc/rtc*/hctosys`` is 1) or the boot unit that runs ``hwclock --hctosys`` left its marker
    under /run (cleared at every boot)."""
    if marker.exists():
        return True
    with contextlib.suppress(OSError):
        for rtc in rtc_class.glob("rtc*"):
            with contextlib.suppress(OSError):
                if (rtc / "hctosys").read_text().strip() == "1":
                    return True
    return False


def on_raspberry_pi(model: Path = DEVICE_MODEL) -> bool:
    try:
        return "Raspberry Pi" in model.read_bytes().decode("utf-8", "replace")
    except OSError:
        return False


def boot_id(path: Path = BOOT_ID) -> str:
    """This boot's id (changes at every boot); "" when the system does not say."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def record_staff_set(data_dir: Path, at: datetime, current_boot: str | None = None) -> None:
    """Remember that staff set the clock during this boot (``<data>/clock-set.json``, 0600)."""
    record = {"boot_id": current_boot if current_boot is not None else boot_id(), "set_at": at.isoformat()}
    atomic_write_bytes(Path(data_dir) / STAFF_SET_FILE, json.dumps(record).encode("utf-8"))


def staff_set_this_boot(data_dir: Path | None, current_boot: str) -> bool:
    """Whether ``<data>/clock-set.json`` names this boot."""
    if data_dir is None or not current_boot:
        return False
    try:
        record = json.loads((Path(data_dir) / STAFF_SET_FILE).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("boot_id") == current_boot


class ClockTrust:
    """The facts behind the clock-trust rule, each probe injectable.

    ``newest_record`` gives the newest trusted record's time in the data folder (read once, lazily; default
    :func:`kiosk.adapters.retention.newest_trusted_record` when ``data_dir`` is given).
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        synchronised: Probe | None = None,
        rtc: Probe | None = None,
        on_pi: Probe | None = None,
        boot: Callable[[], str] | None = None,
        newest_record: Callable[[], datetime | None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        refresh_s: float = 10.0,
    ):
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._synchronised = synchronised or clock_synchronised
        self._rtc = rtc or clock_from_rtc
        self._on_pi = on_pi or on_raspberry_pi
        self._boot = boot or boot_id
        self._newest_record = newest_record
        self._monotonic = monotonic
        self.refresh_s = refresh_s
        self._facts: ClockFacts | None = None
        self._read_at = 0.0
        self._newest: datetime | None = None
        self._newest_read = False

    def facts(self) -> ClockFacts:
        now = self._monotonic()
        if self._facts is None or now - self._read_at >= self.refresh_s:
            on_pi = bool(self._on_pi())
            self._facts = ClockFacts(
                on_pi=on_pi,
                synchronised=bool(self._synchronised()),
                rtc=bool(self._rtc()),
                staff_set=staff_set_this_boot(self.data_dir, self._boot()),
            )
            self._read_at = now
        return self._facts

    def refresh(self) -> None:
        """Read the facts again at the next question (after staff set the clock)."""
        self._facts = None

    def newest_at_start(self) -> datetime | None:
        """The newest trusted record stored before this run (read once)."""
        if not self._newest_read:
            self._newest_read = True
            source = self._newest_record
            if source is None and self.data_dir is not None:
                from kiosk.adapters.retention import newest_trusted_record

                data_dir = self.data_dir

                def source() -> datetime | None:
                    return newest_trusted_record(data_dir)

            if source is not None:
                try:
                    self._newest = source()
                except OSError as exc:
                    log.warning("clock: could not read the newest record (%s)", exc)
        return self._newest


class SystemClock:
    """Implements :class:`kiosk.domain.ports.Clock` over the system clock and :class:`ClockTrust`."""

    def __init__(self, trust: ClockTrust | None = None) -> None:
        self.trust = trust or ClockTrust()
        self._latest_trusted: datetime | None = None  # the newest time this run judged trusted

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def basis(self) -> ClockBasis:
        """Whether the clock is trusted now, and on what grounds."""
        now = self.now()
        newest = self.trust.newest_at_start()
        if self._latest_trusted is not None and (newest is None or self._latest_trusted > newest):
            newest = self._latest_trusted
        basis = judge(now, self.trust.facts(), newest)
        if basis.trusted and (self._latest_trusted is None or now > self._latest_trusted):
            self._latest_trusted = now
        return basis

    def trusted(self) -> bool:
        return self.basis().trusted

    def staff_set(self, at: datetime) -> None:
        """Staff just set the clock: trusted from now on for this boot (the record is written first)."""
        if self.trust.data_dir is not None:
            record_staff_set(self.trust.data_dir, at, self.trust._boot())
        self._latest_trusted = None  # a step back set by staff is the new truth
        self.trust.refresh()


class StaffClock:
    """Implements :class:`kiosk.app.ports.ClockSetting`: the staff screen's "Set the time" over the system
    clock (``timedatectl set-time``, :func:`kiosk.adapters.system.set_time`) and :meth:`SystemClock.staff_set`."""

    def __init__(
        self, clock: SystemClock, set_time: Callable[[datetime], ActionResult] | None = None
    ) -> None:
        self.clock = clock
        self._set_time = set_time or system.set_time

    def basis(self) -> ClockBasis:
        return self.clock.basis()

    def set_time(self, local: datetime) -> ActionResult:
        """Set the clock; only once timedated said yes is it recorded as set by staff (with the boot id)."""
        result = self._set_time(local)
        if result.ok:
            try:
                self.clock.staff_set(self.clock.now())
            except OSError as exc:
                log.warning("clock: set, but could not record it (%s)", exc)
                return ActionResult(
                    True, f"{result.message} It could not be noted as checked ({exc.strerror or exc})."
                )
        return result
