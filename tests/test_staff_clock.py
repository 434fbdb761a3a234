"""The staff screen's "Set the time" over the real kiosk parts: the use case runs `timedatectl set-time` (a fake
on PATH, logging its arguments), and only when it succeeded records ``clock-set.json`` with this boot's id in
the data folder, so the clock then counts as set by staff. The Pi here has no time server and no clock chip."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.adapters.clock import STAFF_SET_FILE, ClockTrust, SystemClock
from kiosk.adapters.journal import read_events
from kiosk.config import AudioConfig, Config, LibraryConfig
from kiosk.domain.clock_trust import ClockBasis
from kiosk.wiring import RunningKiosk, build_running_kiosk

BOOT = "3f1c0d9e-boot-under-test"

# The fake timedatectl: logs each call; FAKE_TDC_MODE says how timedated answers:
#   ok      - set-time works
#   denied  - polkit refuses (no rule installed)
#   ntp     - set-time refused while automatic synchronisation is on (set-ntp false switches it off)
FAKE = """#!/bin/sh
echo "$*" >> "$FAKE_TDC_LOG"
case "$FAKE_TDC_MODE:$2" in
  denied:*) echo "Failed to set time: Access denied" >&2; exit 1 ;;
  ntp:set-ntp) [ "$3" = false ] && touch "$FAKE_TDC_LOG.ntp-off" || rm -f "$FAKE_TDC_LOG.ntp-off"; exit 0 ;;
  ntp:set-time) [ -e "$FAKE_TDC_LOG.ntp-off" ] && exit 0
     echo "Failed to set time: Automatic time synchronization is enabled" >&2; exit 1 ;;
esac
exit 0
"""


@pytest.fixture
def fake_timedatectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "timedatectl"
    tool.write_text(FAKE)
    tool.chmod(0o755)
    log = tmp_path / "timedatectl.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_TDC_LOG", str(log))
    monkeypatch.setenv("FAKE_TDC_MODE", "ok")
    return log


@pytest.fixture
def kiosk(tmp_path: Path, data_dir: Path) -> Iterator[RunningKiosk]:
    music = tmp_path / "music"
    music.mkdir()
    config = Config(audio=AudioConfig(output="dummy", fade_ms=100), library=LibraryConfig(music_dir=music))
    trust = ClockTrust(
        data_dir, synchronised=lambda: False, rtc=lambda: False, on_pi=lambda: True, boot=lambda: BOOT
    )
    running = build_running_kiosk(config, data_dir, clock=SystemClock(trust))
    yield running
    running.close()


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_set_the_time_records_the_boot_and_the_clock_counts_as_staff_set(
    kiosk: RunningKiosk, data_dir: Path, fake_timedatectl: Path
) -> None:
    staff = kiosk.staff
    assert staff.clock_reading().basis is ClockBasis.UNTRUSTED  # a Pi with no network and no clock chip
    result = staff.set_clock(datetime(2026, 6, 1, 14, 5))
    assert result.done and result.note == "The clock now reads 01 Jun 2026, 14:05."
    assert _calls(fake_timedatectl) == ["--no-ask-password set-time 2026-06-01 14:05:00"]
    record_path = data_dir / STAFF_SET_FILE
    record = json.loads(record_path.read_text())
    assert record["boot_id"] == BOOT
    assert datetime.fromisoformat(record["set_at"]).tzinfo is not None
    assert stat.S_IMODE(record_path.stat().st_mode) == 0o600
    reading = staff.clock_reading()
    assert reading.basis is ClockBasis.STAFF_SET and reading.can_set
    kiosk.parts.journal.sync()
    events = list(read_events(data_dir / "events"))
    assert any(e["type"] == "staff" and e["detail"] == {"action": "clock_set"} for e in events)


def test_a_refusal_is_explained_and_nothing_is_recorded(
    kiosk: RunningKiosk, data_dir: Path, fake_timedatectl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TDC_MODE", "denied")
    result = kiosk.staff.set_clock(datetime(2026, 6, 1, 14, 5))
    assert not result.done
    assert result.note.startswith("Could not set the time. This kiosk user is not allowed to")
    assert "Access denied" in result.note
    assert not (data_dir / STAFF_SET_FILE).exists()
    assert kiosk.staff.clock_reading().basis is ClockBasis.UNTRUSTED


def test_automatic_sync_is_switched_off_for_the_change_and_back_on(
    kiosk: RunningKiosk, data_dir: Path, fake_timedatectl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TDC_MODE", "ntp")
    result = kiosk.staff.set_clock(datetime(2025, 12, 31, 23, 59))
    assert result.done, result.note
    assert _calls(fake_timedatectl) == [
        "--no-ask-password set-time 2025-12-31 23:59:00",
        "--no-ask-password set-ntp false",
        "--no-ask-password set-time 2025-12-31 23:59:00",
        "--no-ask-password set-ntp true",
    ]
    assert json.loads((data_dir / STAFF_SET_FILE).read_text())["boot_id"] == BOOT


def test_a_machine_without_timedatectl_says_so(
    kiosk: RunningKiosk, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = kiosk.staff.set_clock(datetime(2026, 6, 1, 14, 5))
    assert not result.done and "timedatectl is not available" in result.note
    assert not (data_dir / STAFF_SET_FILE).exists()
