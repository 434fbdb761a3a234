"""The kiosk's settings (kiosk.toml): one typed schema with documented defaults.

A missing file means all defaults. NOTE: loading and validation are still minimal here (the foundation work
replaces :func:`load_config` with full checking: every error at once, key paths, "did you mean").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.domain.models import ScheduleSlot
from kiosk.errors import UserError


@dataclass(frozen=True)
class DisplayConfig:
    dpi: float = 133.0  # official 7" display; set it for any other screen so mm sizes are honest
    fullscreen: bool = True
    orientation: str = "landscape"  # landscape | portrait
    width: int = 800
    height: int = 480
    blank_when_idle_s: int = 0  # 0 = never blank the idle screen


@dataclass(frozen=True)
class AudioConfig:
    output: str = "auto"  # auto | alsa | pulse | pipewire | dummy
    device: str = ""  # ALSA device, e.g. "plughw:CARD=Headphones" (Pi 4 jack), "default:CARD=vc4hdmi0"
    start_volume_pct: int = 40
    max_volume_pct: int = 80
    fade_ms: int = 1500
    replaygain: bool = True


@dataclass(frozen=True)
class LibraryConfig:
    music_dir: Path = Path("/srv/kiosk/music")


@dataclass(frozen=True)
class KioskConfig:
    mode: str = "lounge"  # personal | lounge
    id: str = "kiosk-1"
    resident: str = ""  # personal mode: the staff id of the room's resident
    staff_pin_hash: str = ""  # "scrypt$<salt hex>$<hash hex>" (kiosk set-pin / install.sh writes it)


@dataclass(frozen=True)
class QuietHoursConfig:
    start: str = ""  # "21:00"; empty = no quiet hours
    end: str = ""  # "07:00"
    max_volume_pct: int = 40


@dataclass(frozen=True)
class SessionConfig:
    idle_pause_end_min: int = 20  # a session paused this long ends
    resume_window_min: int = 30  # after a crash or power cut, resume within this window (trusted clock only)
    failures_before_stop: int = 5


@dataclass(frozen=True)
class JournalConfig:
    retention_days: int = 3 * 365


@dataclass(frozen=True)
class Config:
    display: DisplayConfig = field(default_factory=DisplayConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    library: LibraryConfig = field(default_factory=LibraryConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    quiet_hours: QuietHoursConfig = field(default_factory=QuietHoursConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    journal: JournalConfig = field(default_factory=JournalConfig)
    schedule: tuple[ScheduleSlot, ...] = ()  # the kiosk's default modes by time of day
    gpio: dict[int, str] = field(default_factory=dict)  # BCM pin -> action
    problems: tuple[str, ...] = ()  # what was wrong (when loaded non-strict, defaults stand in)


def load_config(path: Path, *, strict: bool = True) -> Config:
    """Read ``path`` (missing = defaults). Bad content: UserError when ``strict``, else defaults + problems."""
    path = Path(path)
    if not path.exists():
        return Config()
    try:
        with path.open("rb") as fh:
            tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        if strict:
            raise UserError(f"{path}: {exc}") from None
        return Config(problems=(f"{path}: {exc}",))
    return Config()
