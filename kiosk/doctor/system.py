"""Machine checks: Python and packages, screen, GPIO, clock."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.doctor.rows import FAIL, OK, WARN, Check

PACKAGES = ("kivy", "python-vlc", "gpiozero", "tinydb", "mutagen")


def check_python() -> Check:
    return Check(OK, "python", f"{platform.python_version()} ({sys.executable})")  # < 3.11 cannot install


def check_packages() -> Check:
    found, missing = [], []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            FAIL, "packages", "missing: " + ", ".join(missing), "reinstall: make setup (or pip install -e .)"
        )
    return Check(OK, "packages", ", ".join(found))


def check_display(env: dict[str, str] | None = None, dri: Path = Path("/dev/dri")) -> Check:
    env = dict(os.environ) if env is None else env
    for var in ("WAYLAND_DISPLAY", "DISPLAY"):
        if env.get(var):
            return Check(OK, "display", f"{var}={env[var]}")
    cards = sorted(p.name for p in dri.glob("card*")) if dri.is_dir() else []
    if cards:
        return Check(OK, "display", f"no desktop; KMS/DRM {', '.join(cards)} (console kiosk)")
    return Check(
        WARN,
        "display",
        "no screen: no DISPLAY/WAYLAND_DISPLAY and no /dev/dri card",
        "fine for tests and CLI; the kiosk needs a screen (check the cable, `ls /dev/dri`)",
    )


def is_raspberry_pi(model_file: Path = Path("/proc/device-tree/model")) -> str:
    """The Pi model name, or "" off a Pi."""
    try:
        model = model_file.read_text(encoding="utf-8", errors="replace").strip("\x00\n ")
    except OSError:
        return ""
    return model if "Raspberry Pi" in model else ""


def gpio_summary(config: Config) -> str:
    """What [gpio] wires up, for the doctor row: buttons (pin and action), LEDs, dial, staff hold."""
    options = config.gpio_options
    if not config.gpio:
        parts = ["no buttons configured"]
    else:
        wired = ", ".join(f"{action} {pin}" for pin, action in sorted(config.gpio.items()))
        parts = [f"{len(config.gpio)} button(s) configured ({wired})"]
    if options.leds:
        parts.append(f"{len(options.leds)} LED(s)")
    if options.encoder is not None:
        parts.append(f"dial ({options.encoder.function})")
    held = set(config.gpio.values())
    if options.encoder is not None and options.encoder.switch is not None:
        held.add("play_pause")
    if len(options.staff_hold) == 2 and set(options.staff_hold) <= held:
        parts.append(f"staff hold {' + '.join(options.staff_hold)} {options.staff_hold_s:g} s")
    return "; ".join(parts)


def check_gpio(config: Config, model_file: Path = Path("/proc/device-tree/model")) -> Check:
    pins = gpio_summary(config)
    model = is_raspberry_pi(model_file)
    if not model:
        return Check(WARN, "gpio", f"mock: no GPIO, buttons disabled ({pins})", "normal off a Raspberry Pi")
    factory = os.environ.get("GPIOZERO_PIN_FACTORY", "")
    try:
        import lgpio  # noqa: F401
    except Exception as exc:
        status = FAIL if config.gpio else WARN
        return Check(
            status, "gpio", f"{model}: lgpio missing ({exc})", "sudo apt install python3-lgpio; make setup"
        )
    chips = sorted(Path("/dev").glob("gpiochip*"))
    if not chips or not os.access(chips[0], os.R_OK | os.W_OK):
        where = chips[0] if chips else "/dev/gpiochip*"
        return Check(WARN, "gpio", f"{model}: no access to {where}", "add the user to the gpio group")
    if factory and factory != "lgpio":
        return Check(WARN, "gpio", f"{model}: GPIOZERO_PIN_FACTORY={factory}", "use lgpio on a Pi 4/5")
    return Check(OK, "gpio", f"{model}: lgpio pin factory; {pins}")


def _timedatectl() -> str | None:
    """``NTPSynchronized`` from timedatectl: "yes"/"no", or None when systemd cannot tell."""
    if not shutil.which("timedatectl"):
        return None
    try:
        out = subprocess.run(
            ["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return value if out.returncode == 0 and value in ("yes", "no") else None


def check_clock(now: datetime | None = None, ntp: Callable[[], str | None] = _timedatectl) -> Check:
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    if now.year < 2024:
        return Check(
            WARN, "clock", f"{stamp}: implausible", "connect to the network (NTP) or fit an RTC battery"
        )
    synced = ntp()
    if synced == "yes":
        return Check(OK, "clock", f"{stamp}, NTP synchronised")
    if synced == "no":
        return Check(WARN, "clock", f"{stamp}, not NTP synchronised", "check the network; timedatectl status")
    return Check(OK, "clock", f"{stamp} (NTP state unknown: no systemd here)")


_BASIS_WORDS = {
    "synchronised": "set by a time server (NTP)",
    "rtc": "read from the battery clock (RTC) at start",
    "staff-set": "set by staff on the staff screen since this start",
    "plausible": "plausible (not a Raspberry Pi: judged by the date and the newest record)",
}


def check_clock_trust(data_dir: Path, clock: Any = None) -> Check:
    """What the kiosk itself believes about the clock (kiosk.domain.clock_trust): the same rule the running
    kiosk applies before it shows dates, deletes old history or resumes a session."""
    from kiosk.adapters.clock import ClockTrust, SystemClock

    basis = (clock or SystemClock(ClockTrust(data_dir))).basis()
    words = _BASIS_WORDS.get(str(basis))
    if words is not None:
        return Check(OK, "clock trust", f"trusted: {words}")
    return Check(
        WARN,
        "clock trust",
        "not trusted: dates are not shown, no old history is deleted, a cut-off session is not resumed",
        "connect the network, fit an RTC battery, or set the time: staff screen -> Set the time",
    )
