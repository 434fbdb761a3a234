"""Power off and reboot the Pi from the staff screen.

The kiosk runs as the unprivileged ``kiosk`` user. ``deploy/install.sh`` installs a polkit rule
(``deploy/polkit/50-encore-kiosk.rules``) that lets that user, and only that user, power off and reboot through
logind. Without the rule (a desktop trial, a development machine) the call fails: we return a clear message for
the staff screen instead of raising, and never ask for a password (``--no-ask-password``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


@dataclass(frozen=True)
class ActionResult:
    """What happened: ``ok`` and a sentence staff can read."""

    ok: bool
    message: str


_WORDS = {"poweroff": ("Switching off", "switch off"), "reboot": ("Restarting", "restart")}


def _why(done: subprocess.CompletedProcess[str]) -> str:
    """A refused systemd call, in words staff can act on: a hint, then what the tool said."""
    detail = " ".join((done.stderr or done.stdout or "").split())[:200]
    low = detail.lower()
    hint = ""
    if "access denied" in low or "interactive authentication required" in low or "not authorized" in low:
        hint = " This kiosk user is not allowed to: run deploy/install.sh (it installs the permission)."
    elif "not been booted with systemd" in low or "failed to connect to bus" in low:
        hint = " This computer is not running systemd."
    return f"{hint} ({detail or f'exit code {done.returncode}'})"


def _systemctl(action: str, systemctl: str, runner: Runner, timeout_s: float) -> ActionResult:
    doing, verb = _WORDS[action]
    exe = shutil.which(systemctl)
    if exe is None:
        return ActionResult(False, f"Cannot {verb} from here: systemctl is not available on this computer.")
    try:
        done = runner(
            [exe, "--no-ask-password", action],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ActionResult(False, f"Could not {verb}: the system did not answer. Use the power switch.")
    except OSError as exc:
        return ActionResult(False, f"Could not {verb}: {exc.strerror or exc}.")
    if done.returncode == 0:
        return ActionResult(True, f"{doing} now.")
    return ActionResult(False, f"Could not {verb}.{_why(done)}")


def power_off(
    systemctl: str = "systemctl", runner: Any = subprocess.run, timeout_s: float = 20.0
) -> ActionResult:
    """Switch the Pi off (``systemctl poweroff``). Never raises."""
    return _systemctl("poweroff", systemctl, runner, timeout_s)


def reboot(
    systemctl: str = "systemctl", runner: Any = subprocess.run, timeout_s: float = 20.0
) -> ActionResult:
    """Restart the Pi (``systemctl reboot``). Never raises."""
    return _systemctl("reboot", systemctl, runner, timeout_s)


def set_time(
    local: datetime,
    timedatectl: str = "timedatectl",
    runner: Any = subprocess.run,
    timeout_s: float = 20.0,
) -> ActionResult:
    """Set the system clock to ``local`` (the kiosk's local time, as staff read it off a wall clock) through
    timedated (``timedatectl set-time``). Never raises; never asks for a password.

    timedated refuses while automatic synchronisation is on (a Pi without network still has it on), so then
    it is switched off, the time set, and switched on again (a time server, once reachable, still wins). The
    deployment ships the polkit rule that allows the kiosk user ``org.freedesktop.timedate1.set-time`` and
    ``set-ntp``. The caller records the staff-set boot (:func:`kiosk.adapters.clock.record_staff_set`).
    """
    exe = shutil.which(timedatectl)
    if exe is None:
        return ActionResult(False, "Cannot set the time here: timedatectl is not available on this computer.")
    stamp = local.strftime("%Y-%m-%d %H:%M:%S")

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return runner([exe, "--no-ask-password", *args], capture_output=True, text=True, timeout=timeout_s,
                      check=False)  # fmt: skip

    try:
        done = call("set-time", stamp)
        if done.returncode != 0 and "automatic time synchronization" in (done.stderr or "").lower():
            call("set-ntp", "false")
            done = call("set-time", stamp)
            call("set-ntp", "true")
    except subprocess.TimeoutExpired:
        return ActionResult(False, "Could not set the time: the system did not answer.")
    except OSError as exc:
        return ActionResult(False, f"Could not set the time: {exc.strerror or exc}.")
    if done.returncode == 0:
        return ActionResult(True, f"The clock now reads {local.strftime('%d %b %Y, %H:%M')}.")
    return ActionResult(False, f"Could not set the time.{_why(done)}")
