"""Where the data folder and the config file live.

Order: the command-line option, then the environment (``KIOSK_DATA_DIR``, ``KIOSK_CONFIG``), then the installed
Pi's paths when they exist (``/var/lib/kiosk``, ``/etc/kiosk/kiosk.toml``: every command, whoever runs it, uses
the kiosk's data), else the XDG folders of the user.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

SYSTEM_DATA_DIR = Path("/var/lib/kiosk")
SYSTEM_CONFIG_DIR = Path("/etc/kiosk")


def _xdg(env: Mapping[str, str], var: str, fallback: str) -> Path:
    value = env.get(var)
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME", str(Path.home()))) / fallback


def data_dir(option: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The data folder (residents, catalogue, journal, backups)."""
    env = os.environ if env is None else env
    if option:
        return Path(option).expanduser()
    if env.get("KIOSK_DATA_DIR"):
        return Path(env["KIOSK_DATA_DIR"]).expanduser()
    if SYSTEM_DATA_DIR.is_dir():
        return SYSTEM_DATA_DIR
    return _xdg(env, "XDG_DATA_HOME", ".local/share") / "kiosk"


def config_file(option: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The kiosk.toml file (it may not exist: then documented defaults apply)."""
    env = os.environ if env is None else env
    if option:
        return Path(option).expanduser()
    if env.get("KIOSK_CONFIG"):
        return Path(env["KIOSK_CONFIG"]).expanduser()
    if SYSTEM_CONFIG_DIR.is_dir():
        return SYSTEM_CONFIG_DIR / "kiosk.toml"
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / "kiosk" / "kiosk.toml"
