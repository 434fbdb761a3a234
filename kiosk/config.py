"""The kiosk's settings (kiosk.toml): one typed schema with documented defaults, and its loader.

A missing file means all defaults (content/kiosk.example.toml lists them). :func:`load_config` reports every
problem at once, each as ``FILE:LINE: section.key: message`` with a "did you mean" for misspelt names. Strict
(every CLI command): a bad file raises :class:`UserError` (exit 1). Not strict (``kiosk run``, which must never
crash-loop): the bad settings fall back to their defaults, the good ones are kept, and ``Config.problems``
lists what was wrong for the staff "needs attention" note. Each setting's rule (range, step, choices, time)
is written beside its field with :func:`~kiosk.config_check.setting`; :mod:`kiosk.config_check` applies them.
A new setting: a field here and a commented line in content/kiosk.example.toml (a test fails until it is there).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.config_check import (
    KIOSK_ID,
    Problem,
    check_value,
    did_you_mean,
    key_lines,
    kind_of,
    line_of,
    rule_of,
    setting,
    toml_error_line,
)
from kiosk.config_gpio import (
    GPIO_SCALARS,
    GPIO_TABLES,
    GpioOptions,
    gpio_cross_check,
    read_gpio_options,
)
from kiosk.domain.buttons import check_pins
from kiosk.domain.models import Mode, Resident, ScheduleSlot
from kiosk.domain.policy import Policy, QuietHours, resolve_policy
from kiosk.domain.schedule import parse_schedule, parse_time
from kiosk.errors import UserError
from kiosk.pin import parse_pin_hash


class KioskMode(StrEnum):
    """Where the kiosk stands: a shared lounge (staff pick the residents) or one resident's room."""

    PERSONAL = "personal"
    LOUNGE = "lounge"


@dataclass(frozen=True)
class DisplayConfig:
    dpi: float = setting(133.0, between=(50, 600))  # official 7" display; set it for any other screen
    fullscreen: bool = True
    orientation: str = setting("landscape", choices=("landscape", "portrait"))
    # turn picture and touch: 0 | 90 | 180 | 270 (Touch Display 2 in landscape: 90)
    rotation_deg: int = setting(0, between=(0, 270), step=90)
    width: int = setting(800, between=(320, 7680))
    height: int = setting(480, between=(240, 4320))
    blank_when_idle_s: int = setting(0, between=(0, 86400))  # 0 = never blank the idle screen


@dataclass(frozen=True)
class AudioConfig:
    output: str = setting("auto", choices=("auto", "alsa", "pulse", "pipewire", "dummy"))
    device: str = ""  # ALSA device, e.g. "plughw:CARD=Headphones" (Pi 4 jack), "default:CARD=vc4hdmi0"
    start_volume_pct: int = setting(40, between=(0, 100))  # never above max_volume_pct (checked below)
    max_volume_pct: int = setting(80, between=(0, 100))
    fade_ms: int = setting(1500, between=(0, 20000))
    replaygain: bool = True


@dataclass(frozen=True)
class LibraryConfig:
    music_dir: Path = Path("/srv/kiosk/music")


@dataclass(frozen=True)
class KioskConfig:
    mode: KioskMode = setting(KioskMode.LOUNGE, choices=KioskMode)
    id: str = "kiosk-1"
    resident: str = ""  # personal mode: the staff id of the room's resident
    staff_pin_hash: str = ""  # "scrypt$n$r$p$<salt hex>$<hash hex>" (`kiosk hash-pin`; install.sh writes it)
    room: str = (
        ""  # where this kiosk stands ("Rose lounge"): residents whose room matches come first on the picker
    )


@dataclass(frozen=True)
class QuietHoursConfig:
    start: str = setting("", time=True)  # "21:00"; empty = no quiet hours
    end: str = setting("", time=True)  # "07:00"
    max_volume_pct: int = setting(40, between=(0, 100))
    # the mode while quiet hours last (any registered mode); "" keeps the schedule's
    mode: str = setting(Mode.RELAX, choices=Mode, blank=True)


@dataclass(frozen=True)
class SessionConfig:
    idle_pause_end_min: int = setting(20, between=(1, 1440))  # a session paused this long ends
    # after a crash or power cut, resume within this window (trusted clock only)
    resume_window_min: int = setting(30, between=(0, 1440))
    failures_before_stop: int = setting(5, between=(1, 100))


@dataclass(frozen=True)
class JournalConfig:
    retention_days: int = setting(3 * 365, between=(1, 36500))


@dataclass(frozen=True)
class VoiceConfig:
    """The gentle voice (docs/guide/voice.md): everything off by default; a resident's ``voice`` column too."""

    enabled: bool = False
    voice: str = ""  # an installed Piper voice's name (kiosk voice list); "" = the first installed
    intros: str = setting("off", choices=("off", "every", "third", "start"))
    intro_age: bool = False  # personal mode only: "when you were seventeen" (exact years only)
    orientation: bool = False  # "Good afternoon. It's Tuesday..." at session start (trusted clock only)
    lyric_coach: bool = False  # sing-along: each lyric line spoken just before it is sung
    imagery: bool = False  # relax: guided imagery / relaxation scripts
    imagery_script: str = ""  # one script's file name without .txt; "" takes them in turn
    scripts_dir: str = ""  # where the scripts are; "" = <data>/scripts if it exists, else the shipped ones
    home_mix: bool = False  # also speak when nobody is chosen
    pace: float = setting(1.15, between=(0.7, 2.0))  # Piper's length scale: above 1 is slower
    duck_db: float = setting(-8.0, between=(-30, 0))  # the music under a lyric cue or an imagery line
    cache_mb: int = setting(64, between=(1, 4096))  # rendered speech kept in <data>/speech-cache


@dataclass(frozen=True)
class ResidentsConfig:
    # how 01/03/2025 in a residents file is read: day/month/year or month/day/year (ISO is always read)
    date_order: str = setting("dmy", choices=("dmy", "mdy"))


@dataclass(frozen=True)
class Config:
    display: DisplayConfig = field(default_factory=DisplayConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    library: LibraryConfig = field(default_factory=LibraryConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    quiet_hours: QuietHoursConfig = field(default_factory=QuietHoursConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    journal: JournalConfig = field(default_factory=JournalConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    residents: ResidentsConfig = field(default_factory=ResidentsConfig)
    schedule: tuple[ScheduleSlot, ...] = ()  # the kiosk's default modes by time of day
    gpio: dict[int, str] = field(default_factory=dict)  # BCM pin -> action
    gpio_options: GpioOptions = field(default_factory=GpioOptions)  # LEDs, dial, staff hold, buses
    problems: tuple[str, ...] = ()  # what was wrong (when loaded non-strict, defaults stand in)


# The plain sections: TOML [name] -> dataclass. [schedule] and [gpio] have their own shapes (below).
SECTIONS: dict[str, type[Any]] = {
    "display": DisplayConfig,
    "audio": AudioConfig,
    "library": LibraryConfig,
    "kiosk": KioskConfig,
    "quiet_hours": QuietHoursConfig,
    "session": SessionConfig,
    "journal": JournalConfig,
    "voice": VoiceConfig,
    "residents": ResidentsConfig,
}
SPECIAL_SECTIONS: dict[str, tuple[str, ...]] = {"schedule": ("default",), "gpio": GPIO_TABLES + GPIO_SCALARS}
GPIO_PINS = range(0, 28)  # BCM numbers on the 40-pin header

# A later check of the [gpio.pins] actions (known actions, reserved pins): it gets the pins that passed the
# basic checks and yields (pin, message) per problem; pin None means "the whole table". Bad pins are dropped
# when not strict (pin None: no buttons at all).
GpioCheck = Callable[[Mapping[int, str]], Iterable[tuple[int | None, str]]]


def load_config(path: Path, *, strict: bool = True, gpio_check: GpioCheck | None = None) -> Config:
    """Read ``path`` (missing = defaults). Bad content: UserError when ``strict``, else defaults + problems."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        return _finish(Config(), [Problem("", f"cannot read the config file: {exc}")], source, strict)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"not valid TOML: {exc} (nothing from this file is used)"
        return _finish(Config(), [Problem("", message, toml_error_line(str(exc)))], source, strict)
    problems: list[Problem] = []
    config = build_config(raw, problems, base_dir=path.parent, gpio_check=gpio_check)
    lines = key_lines(text)
    located = [replace(p, line=p.line or line_of(lines, p.key)) for p in problems]
    located.sort(key=lambda p: p.line or 0)  # in file order (stable: same line keeps check order)
    return _finish(config, located, source, strict)


def _finish(config: Config, problems: list[Problem], source: str, strict: bool) -> Config:
    if not problems:
        return config
    messages = [p.format(source) for p in problems]
    if strict:
        raise UserError(messages)
    return replace(config, problems=tuple(messages))


def build_config(
    raw: Mapping[str, Any],
    problems: list[Problem],
    *,
    base_dir: Path = Path("."),
    gpio_check: GpioCheck | None = None,
) -> Config:
    """Turn parsed TOML into a :class:`Config`; every problem is appended, and its setting keeps its default."""
    known = list(SECTIONS) + list(SPECIAL_SECTIONS)
    tables: dict[str, Mapping[str, Any]] = {}
    for name, value in raw.items():
        if name not in known:
            hint = did_you_mean(name, known, "[{}]")
            what = "unknown section" if isinstance(value, dict) else "unknown setting outside any [section]"
            problems.append(Problem(name, f"{what}{hint}"))
        elif not isinstance(value, dict):
            problems.append(Problem(name, f"must be a section written [{name}], got {kind_of(value)}"))
        else:
            tables[name] = value
    parts: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        parts[name] = _section(name, cls, tables.get(name, {}), problems)
    parts["library"] = _resolve_library(parts["library"], base_dir)
    parts["audio"] = _check_volumes(parts["audio"], problems)
    parts["quiet_hours"] = _check_quiet_hours(parts["quiet_hours"], problems)
    parts["kiosk"] = _check_kiosk(parts["kiosk"], problems)
    schedule = _schedule(tables.get("schedule", {}), problems)
    gpio_table = tables.get("gpio", {})
    gpio_options = read_gpio_options(gpio_table, problems)
    if gpio_check is None:
        buses = gpio_options.buses()

        def gpio_check(pins: Mapping[int, str]) -> Iterable[tuple[int | None, str]]:
            return check_pins(pins, buses)

    gpio = _gpio(gpio_table, problems, gpio_check)
    gpio_options = gpio_cross_check(gpio, gpio_options, problems, "staff_hold" in gpio_table)
    return Config(**parts, schedule=schedule, gpio=gpio, gpio_options=gpio_options)


def _unknown_keys(
    section: str, table: Mapping[str, Any], known: Iterable[str], problems: list[Problem]
) -> None:
    names = list(known)
    for key in table:
        if key not in names:
            problems.append(Problem(f"{section}.{key}", f"unknown setting{did_you_mean(key, names)}"))


def _section(name: str, cls: type[Any], table: Mapping[str, Any], problems: list[Problem]) -> Any:
    defaults = cls()
    fields = {f.name for f in dataclasses.fields(cls)}
    _unknown_keys(name, table, fields, problems)
    values: dict[str, Any] = {}
    for key in fields & set(table):
        converted, message = check_value(table[key], getattr(defaults, key), rule_of(cls, key))
        if message:
            problems.append(Problem(f"{name}.{key}", message))
        else:
            values[key] = converted
    return cls(**values)


def _resolve_library(library: LibraryConfig, base_dir: Path) -> LibraryConfig:
    """A relative music_dir is relative to the folder of kiosk.toml, not to wherever a command runs."""
    if library.music_dir.is_absolute():
        return library
    return replace(library, music_dir=base_dir / library.music_dir)


def _check_volumes(audio: AudioConfig, problems: list[Problem]) -> AudioConfig:
    if audio.start_volume_pct <= audio.max_volume_pct:
        return audio
    problems.append(
        Problem(
            "audio.start_volume_pct",
            f"must not be above audio.max_volume_pct ({audio.max_volume_pct}), got {audio.start_volume_pct}",
        )
    )
    return replace(audio, start_volume_pct=min(AudioConfig().start_volume_pct, audio.max_volume_pct))


def _check_quiet_hours(quiet: QuietHoursConfig, problems: list[Problem]) -> QuietHoursConfig:
    if any(p.key in ("quiet_hours.start", "quiet_hours.end") for p in problems):
        return replace(quiet, start="", end="")  # a bad time is already reported: no quiet hours
    if bool(quiet.start) != bool(quiet.end):
        missing = "end" if quiet.start else "start"
        problems.append(
            Problem(f"quiet_hours.{missing}", "set both start and end (like 21:00 and 07:00), or neither")
        )
        return replace(quiet, start="", end="")
    if quiet.start and quiet.start == quiet.end:
        problems.append(
            Problem("quiet_hours.end", f"is the same as start ({quiet.start}): no quiet hours at all")
        )
        return replace(quiet, start="", end="")
    return quiet


def _check_kiosk(kiosk: KioskConfig, problems: list[Problem]) -> KioskConfig:
    if not KIOSK_ID.fullmatch(kiosk.id):
        problems.append(
            Problem(
                "kiosk.id", f"must be 1-64 letters, digits, '.', '_' or '-' (like kiosk-1), got {kiosk.id!r}"
            )
        )
        kiosk = replace(kiosk, id=KioskConfig().id)
    if kiosk.mode is KioskMode.PERSONAL and not kiosk.resident.strip():
        problems.append(
            Problem(
                "kiosk.resident", "personal mode needs the staff id of the room's resident (or use lounge)"
            )
        )
        kiosk = replace(kiosk, mode=KioskMode.LOUNGE)
    if kiosk.staff_pin_hash:
        try:
            parse_pin_hash(kiosk.staff_pin_hash)
        except ValueError as exc:
            problems.append(Problem("kiosk.staff_pin_hash", f"{exc}; make one with: kiosk hash-pin"))
            kiosk = replace(kiosk, staff_pin_hash="")
    return kiosk


def _schedule(table: Mapping[str, Any], problems: list[Problem]) -> tuple[ScheduleSlot, ...]:
    _unknown_keys("schedule", table, SPECIAL_SECTIONS["schedule"], problems)
    text = table.get("default", "")
    if not isinstance(text, str):
        problems.append(
            Problem("schedule.default", f'must be text like "16:00-18:00 relax", got {kind_of(text)}')
        )
        return ()
    try:
        return parse_schedule(text)
    except ValueError as exc:
        problems.append(Problem("schedule.default", str(exc)))
        return ()


def _gpio(table: Mapping[str, Any], problems: list[Problem], gpio_check: GpioCheck | None) -> dict[int, str]:
    _unknown_keys("gpio", table, SPECIAL_SECTIONS["gpio"], problems)
    pins_raw = table.get("pins", {})
    if not isinstance(pins_raw, dict):
        problems.append(
            Problem("gpio.pins", f"must be a section written [gpio.pins], got {kind_of(pins_raw)}")
        )
        return {}
    pins: dict[int, str] = {}
    for key, action in pins_raw.items():
        where = f"gpio.pins.{key}"
        try:
            pin = int(key)
        except ValueError:
            problems.append(Problem(where, f"the key must be a BCM pin number 0-27, got {key!r}"))
            continue
        if pin in pins:
            problems.append(Problem(where, f"BCM {pin} is already used by the {pins[pin]} button"))
        elif pin not in GPIO_PINS:
            problems.append(Problem(where, f"must be a BCM pin number 0-27, got {pin}"))
        elif not isinstance(action, str) or not action.strip():
            problems.append(
                Problem(where, f'must be an action name in quotes (like "play_pause"), got {action!r}')
            )
        else:
            pins[pin] = action.strip()
    if gpio_check is not None:
        for bad_pin, message in gpio_check(dict(pins)):
            if bad_pin is None:
                problems.append(Problem("gpio.pins", message))
                pins = {}
            else:
                problems.append(Problem(f"gpio.pins.{bad_pin}", message))
                pins.pop(bad_pin, None)
    return pins


def quiet_hours_of(config: Config) -> QuietHours | None:
    """The config's quiet hours for :func:`kiosk.domain.policy.resolve_policy` (None when not set)."""
    quiet = config.quiet_hours
    if not quiet.start or not quiet.end:
        return None
    mode = Mode(quiet.mode) if quiet.mode else None
    return QuietHours(parse_time(quiet.start), parse_time(quiet.end), quiet.max_volume_pct, mode)


def policy_at(config: Config, minute_of_day: int, resident: Resident | None = None) -> Policy:
    """Mode, volume cap and "may music start by itself" for ``minute_of_day`` (local) on this kiosk."""
    return resolve_policy(
        minute_of_day,
        kiosk_max_volume_pct=config.audio.max_volume_pct,
        resident_schedule=resident.schedule if resident else (),
        kiosk_schedule=config.schedule,
        quiet_hours=quiet_hours_of(config),
        resident_volume_cap_pct=resident.volume_cap_pct if resident else 100,
    )
