"""Doctor checks from the Pi-deployment issue: HDMI sound device and backup freshness (CLI and staff screen)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.config import AudioConfig, Config
from kiosk.doctor import FAIL, OK, WARN, check_backups, check_hdmi_device
from kiosk.wiring import attention_lines

NOW = datetime(2026, 5, 28, 12, 0, tzinfo=UTC)
PI4_CARDS = (
    " 0 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones\n"
    "                      bcm2835 Headphones\n"
    " 1 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0\n"
    "                      vc4-hdmi-0\n"
)


def _log(data: Path, *entries: dict | str) -> None:
    data.mkdir(parents=True, exist_ok=True)
    lines = [e if isinstance(e, str) else json.dumps(e) for e in entries]
    (data / "backup-log.jsonl").write_text("".join(line + "\n" for line in lines))


def _entry(where: str, made_at: datetime | str) -> dict:
    stamp = made_at if isinstance(made_at, str) else made_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"name": "encore-kiosk-x", "made_at": stamp, "where": where, "path": "/x", "resident_ids": ["r1"]}


@pytest.mark.parametrize(
    ("device", "status"),
    [
        ("plughw:CARD=vc4hdmi0", FAIL),
        ("hw:CARD=vc4hdmi1,DEV=0", FAIL),
        ("hw:1", FAIL),  # card 1 is vc4hdmi0 in /proc/asound/cards
        ("hw:0", None),  # the headphone jack takes raw PCM
        ("plughw:CARD=Headphones", None),
        ("hdmi:CARD=vc4hdmi0", None),
        ("default:CARD=vc4hdmi0", None),
        ("encore", None),
    ],
)
def test_raw_pcm_on_the_pis_hdmi_card_fails_naming_the_right_device(
    tmp_path: Path, device: str, status
) -> None:
    cards = tmp_path / "cards"
    cards.write_text(PI4_CARDS)
    row = check_hdmi_device(Config(audio=AudioConfig(output="alsa", device=device)), cards)
    if status is None:
        assert row is None
        return
    assert row is not None and row.status == FAIL
    card = "vc4hdmi1" if "vc4hdmi1" in device else "vc4hdmi0"
    assert f'device = "hdmi:CARD={card}"' in row.hint


def test_backup_freshness(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert check_backups(data, NOW).status == WARN  # no log at all
    _log(data, _entry("local", NOW - timedelta(hours=1)))
    row = check_backups(data, NOW)
    assert (
        row.status == WARN and "no backup has left this Pi" in row.detail
    )  # the SD card's copy does not count
    _log(data, _entry("usb", NOW - timedelta(days=3, hours=1)), _entry("local", NOW))
    row = check_backups(data, NOW)
    assert row.status == WARN and "3 days old" in row.detail and "ENCOREBKUP" in row.hint
    _log(
        data,
        _entry("usb", NOW - timedelta(days=9)),
        _entry("other", "2026-05-27T03:15:00+00:00"),
        '{"name": "torn after a power cut", "made_at": "2026-05-2',
        _entry("usb", "not a date"),
        "[]",
    )
    row = check_backups(data, NOW)
    assert row.status == OK and "2026-05-27 03:15 UTC" in row.detail


def _doctor(tmp_path: Path, config_text: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "kiosk.toml"
    config.write_text(config_text)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "--config", str(config), "doctor",
         "--json"],
        capture_output=True, text=True, timeout=90, env=env, check=False,
    )  # fmt: skip


def test_kiosk_doctor_warns_about_an_old_backup_and_fails_raw_hdmi(tmp_path: Path) -> None:
    _log(tmp_path / "data", _entry("usb", datetime.now(UTC) - timedelta(days=5)))
    done = _doctor(tmp_path, '[audio]\noutput = "dummy"\n')
    rows = {r["name"]: r for r in json.loads(done.stdout)["checks"]}
    assert rows["backup"]["status"] == WARN and "5 days old" in rows["backup"]["detail"]
    assert "hdmi sound" not in rows
    assert done.returncode == (1 if any(r["status"] == FAIL for r in rows.values()) else 0)

    _log(tmp_path / "data", _entry("usb", datetime.now(UTC) - timedelta(hours=5)))
    done = _doctor(tmp_path, '[audio]\noutput = "alsa"\ndevice = "plughw:CARD=vc4hdmi0"\n')
    rows = {r["name"]: r for r in json.loads(done.stdout)["checks"]}
    assert rows["backup"]["status"] == OK
    assert rows["hdmi sound"]["status"] == FAIL and done.returncode == 1
    assert "Traceback" not in done.stderr


def test_staff_needs_attention_lists_the_backup_warning(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _log(data, _entry("usb", datetime.now(UTC) - timedelta(days=4)))
    lines = attention_lines(Config(audio=AudioConfig(output="dummy")), data)
    assert any(line.startswith("WARN: backup: newest backup off this Pi") for line in lines), lines
