"""Health checks for ``kiosk doctor`` and the staff "needs attention" list.

Each check is a small function returning one or more :class:`Check` rows (status, name, detail, hint). They
never raise: anything unexpected becomes a FAIL row naming the error. :func:`run_checks` runs them all.
No check changes settings; the only writes are temporary files (a probe in the data folder, a silent WAV that
the audio check plays for 0.3 s to prove the output opens).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.config import Config
from kiosk.doctor.audio import (
    alsa_cards,
    check_audio_output,
    check_hdmi_device,
    check_libvlc,
    check_sound_card,
)
from kiosk.doctor.backups import check_backups
from kiosk.doctor.rows import FAIL, OK, WARN, Check, quiet_stderr
from kiosk.doctor.storage import (
    check_attention,
    check_config,
    check_data_dir,
    check_journal,
    check_music_dir,
    check_staff_pin,
    check_stores,
)
from kiosk.doctor.system import (
    check_clock,
    check_clock_trust,
    check_display,
    check_gpio,
    check_packages,
    check_python,
)
from kiosk.doctor.voice import check_voice

__all__ = [
    "FAIL",
    "OK",
    "WARN",
    "Check",
    "alsa_cards",
    "check_attention",
    "check_audio_output",
    "check_backups",
    "check_clock",
    "check_clock_trust",
    "check_config",
    "check_data_dir",
    "check_display",
    "check_gpio",
    "check_hdmi_device",
    "check_journal",
    "check_libvlc",
    "check_music_dir",
    "check_packages",
    "check_python",
    "check_sound_card",
    "check_staff_pin",
    "check_stores",
    "check_voice",
    "run_checks",
]


def run_checks(config: Config, data_dir: Path, config_path: Path | None = None) -> list[Check]:
    """Every check, in the order the table shows them. Never raises."""
    data = Path(data_dir)
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("python", check_python),
        ("packages", check_packages),
        ("config", lambda: check_config(config, config_path)),
        ("staff pin", lambda: check_staff_pin(config)),
        ("libvlc", lambda: _quietly(check_libvlc, config)),
        ("sound card", lambda: check_sound_card(config)),
        ("hdmi sound", lambda: _rows_or_none(check_hdmi_device(config))),
        ("audio output", lambda: _quietly(check_audio_output, config)),
        ("display", check_display),
        ("gpio", lambda: check_gpio(config)),
        ("data folder", lambda: check_data_dir(data)),
        ("stores", lambda: check_stores(data)),
        ("music folder", lambda: check_music_dir(config, data)),
        ("clock", check_clock),
        ("clock trust", lambda: check_clock_trust(data)),
        ("journal", lambda: check_journal(data)),
        ("backup", lambda: check_backups(data)),
        ("voice", lambda: check_voice(config, data)),
        ("needs attention", lambda: check_attention(data)),
    ]
    rows: list[Check] = []
    for name, step in steps:
        rows.extend(_safe(name, step))
    return rows


def _rows_or_none(row: Check | None) -> list[Check]:
    return [] if row is None else [row]


def _quietly(check: Callable[[Config], Check], config: Config) -> Check:
    with quiet_stderr():
        return check(config)


def _safe(name: str, step: Callable[[], Check | list[Check]]) -> list[Check]:
    """The step's rows; a crashing check becomes one FAIL row instead of stopping the others."""
    try:
        result = step()
    except Exception as exc:
        return [Check(FAIL, name, f"check crashed: {type(exc).__name__}: {exc}", "report this as a bug")]
    return [result] if isinstance(result, Check) else list(result)
