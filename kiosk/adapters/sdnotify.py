"""Tell systemd how the kiosk is doing (``sd_notify``), and keep its watchdog fed only while all is well.

``kiosk.service`` is ``Type=notify`` with ``WatchdogSec=``: systemd waits for ``READY=1`` (sent once the first
screen shows) and restarts the kiosk when ``WATCHDOG=1`` stops arriving. A kiosk whose UI loop hangs, or whose
player is wedged while the screen still draws, must stop pinging, so :class:`Watchdog` pings only while *both*
the UI loop and the engine have made progress recently.

Outside systemd (a desktop trial, the tests) ``NOTIFY_SOCKET`` is unset and everything here is a no-op.

Wiring (the composition root)::

    notifier = Notifier()                      # reads NOTIFY_SOCKET
    watchdog = Watchdog.from_env(notifier)     # None when systemd set no watchdog for this process
    ... first screen shown:    notifier.ready("showing the home screen")
    ... every UI frame/tick:   watchdog.ui_beat()
    ... every engine pump:     watchdog.engine_beat()
    ... every second:          watchdog.maybe_ping()
    ... on shutdown:           notifier.stopping()
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify messages to ``NOTIFY_SOCKET``; does nothing when that is unset.

    Supports filesystem sockets and abstract ones (``@name``). A failure to send is logged once and never
    raised: the kiosk must keep playing even if systemd's socket went away.
    """

    def __init__(self, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        raw = env.get("NOTIFY_SOCKET", "")
        self._address: str | bytes | None = None
        if raw.startswith("@"):
            self._address = b"\0" + raw[1:].encode()
        elif raw.startswith("/"):
            self._address = raw
        elif raw:
            log.warning("NOTIFY_SOCKET is neither a path nor an abstract socket; not notifying systemd")
        self._warned = False
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """True when running under systemd with notification (Type=notify)."""
        return self._address is not None

    def send(self, *fields: str) -> bool:
        """Send ``fields`` (e.g. ``"READY=1"``) as one datagram. Returns True when sent."""
        if self._address is None or not fields:
            return False
        payload = "\n".join(fields).encode("utf-8")
        try:
            with self._lock, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(payload, self._address)
        except OSError as exc:
            if not self._warned:
                log.warning("could not notify systemd: %s", exc)
                self._warned = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        """The first screen shows: systemd considers the kiosk started."""
        fields = ["READY=1"]
        if status:
            fields.append(f"STATUS={_one_line(status)}")
        return self.send(*fields)

    def status(self, text: str) -> bool:
        """A short free-text status shown by ``systemctl status kiosk`` (never personal data)."""
        return self.send(f"STATUS={_one_line(text)}")

    def watchdog(self) -> bool:
        """Feed the watchdog. Prefer :meth:`Watchdog.maybe_ping`, which checks progress first."""
        return self.send("WATCHDOG=1")

    def extend_timeout(self, extra_s: float) -> bool:
        """Ask for more start-up or shutdown time (e.g. a first library scan), ``extra_s`` in seconds."""
        return self.send(f"EXTEND_TIMEOUT_USEC={int(extra_s * 1_000_000)}")

    def stopping(self) -> bool:
        """The kiosk is shutting down on purpose."""
        return self.send("STOPPING=1")


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Watchdog:
    """Pings systemd's watchdog only while both the UI loop and the engine beat within ``interval_s``.

    ``interval_s`` is half of systemd's ``WatchdogSec`` (``WATCHDOG_USEC / 2``), as sd_watchdog_enabled(3)
    advises. Pings are also spaced at least ``interval_s / 2`` apart, so calling :meth:`maybe_ping` every
    frame costs nothing. If either side stalls, pings stop and systemd restarts the kiosk within
    ``interval_s + WatchdogSec``.

    ``clock`` returns seconds on a monotonic scale (injected in tests). Beats may come from any thread.
    """

    def __init__(
        self,
        notifier: Notifier,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.notifier = notifier
        self.interval_s = interval_s
        self.min_gap_s = interval_s / 2
        self._clock = clock
        self._ui_s: float | None = None
        self._engine_s: float | None = None
        self._last_ping_s: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_env(
        cls,
        notifier: Notifier,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        pid: int | None = None,
    ) -> Watchdog | None:
        """A watchdog from ``WATCHDOG_USEC``/``WATCHDOG_PID``; None when systemd asked for none (or not us)."""
        env = os.environ if env is None else env
        if not notifier.enabled:
            return None
        try:
            usec = int(env.get("WATCHDOG_USEC", "0"))
        except ValueError:
            return None
        if usec <= 0:
            return None
        wd_pid = env.get("WATCHDOG_PID", "")
        if wd_pid and wd_pid != str(os.getpid() if pid is None else pid):
            return None
        return cls(notifier, interval_s=usec / 2_000_000, clock=clock)

    def ui_beat(self, now_s: float | None = None) -> None:
        """The UI loop ran (call from a Kivy Clock tick)."""
        with self._lock:
            self._ui_s = self._clock() if now_s is None else now_s

    def engine_beat(self, now_s: float | None = None) -> None:
        """The engine pump ran and the player answered (call from the engine's pump)."""
        with self._lock:
            self._engine_s = self._clock() if now_s is None else now_s

    def healthy(self, now_s: float | None = None) -> bool:
        """Both sides beat within the last ``interval_s``."""
        now = self._clock() if now_s is None else now_s
        with self._lock:
            ui, engine = self._ui_s, self._engine_s
        return (
            ui is not None
            and engine is not None
            and now - ui <= self.interval_s
            and now - engine <= self.interval_s
        )

    def maybe_ping(self, now_s: float | None = None) -> bool:
        """Send ``WATCHDOG=1`` when healthy and the last ping is ``min_gap_s`` old. True when sent."""
        now = self._clock() if now_s is None else now_s
        if not self.healthy(now):
            return False
        with self._lock:
            if self._last_ping_s is not None and now - self._last_ping_s < self.min_gap_s:
                return False
            self._last_ping_s = now
        return self.notifier.watchdog()
