"""Power off / reboot through a stand-in systemctl, and finding import files on USB sticks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.adapters.system import power_off, reboot
from kiosk.adapters.usb import find_import_files, mounted_sticks


def _fake_systemctl(tmp_path: Path, exit_code: int, stderr: str = "") -> Path:
    """A real executable that records its arguments and answers like systemctl would."""
    exe = tmp_path / "systemctl"
    log = tmp_path / "calls.txt"
    exe.write_text(f"#!/bin/sh\necho \"$@\" >> '{log}'\necho '{stderr}' >&2\nexit {exit_code}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_power_off_and_reboot_call_systemctl_without_password_prompt(tmp_path: Path) -> None:
    exe = _fake_systemctl(tmp_path, 0)
    assert power_off(systemctl=str(exe)).ok
    result = reboot(systemctl=str(exe))
    assert result.ok and result.message == "Restarting now."
    assert (tmp_path / "calls.txt").read_text().splitlines() == [
        "--no-ask-password poweroff",
        "--no-ask-password reboot",
    ]


def test_denied_by_polkit_gives_a_clear_message(tmp_path: Path) -> None:
    exe = _fake_systemctl(tmp_path, 1, "Call to PowerOff failed: Access denied")
    result = power_off(systemctl=str(exe))
    assert not result.ok
    assert "not allowed" in result.message and "install.sh" in result.message


def test_no_systemd_gives_a_clear_message(tmp_path: Path) -> None:
    exe = _fake_systemctl(tmp_path, 1, "System has not been booted with systemd as init system (PID 1).")
    result = reboot(systemctl=str(exe))
    assert not result.ok and "not running systemd" in result.message


def test_missing_systemctl_does_not_raise(tmp_path: Path) -> None:
    result = power_off(systemctl=str(tmp_path / "nope"))
    assert not result.ok and "systemctl is not available" in result.message


def _stick(root: Path, label: str, files: dict[str, str]) -> Path:
    stick = root / label
    for rel, text in files.items():
        path = stick / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return stick


def test_find_import_files_lists_csv_and_json_newest_first(tmp_path: Path) -> None:
    root = tmp_path / "media"
    stick = _stick(
        root,
        "CARE",
        {
            "residents.csv": "a",
            "Old/RESIDENTS.JSON": "b",
            "._residents.csv": "mac junk",
            ".hidden/x.csv": "no",
            "song.mp3": "no",
            "a/b/c/too-deep.csv": "no",
            "System Volume Information/x.csv": "no",
        },
    )
    os.utime(stick / "residents.csv", (1000, 1000))
    os.utime(stick / "Old/RESIDENTS.JSON", (2000, 2000))
    _stick(root, "OTHER", {"list.csv": "c"})
    (root / "loose.csv").write_text("not on a stick")

    found = find_import_files(root, only_mounted=False)
    assert found == [stick / "Old/RESIDENTS.JSON", stick / "residents.csv", root / "OTHER/list.csv"]
    assert find_import_files(root, only_mounted=False, max_files=1) == [stick / "Old/RESIDENTS.JSON"]
    assert find_import_files(root, only_mounted=False, max_depth=0) == [
        stick / "residents.csv",
        root / "OTHER/list.csv",
    ]


def test_only_mounted_sticks_count(tmp_path: Path) -> None:
    root = tmp_path / "media"
    _stick(root, "NOTMOUNTED", {"residents.csv": "a"})
    # Plain folders are not mount points: a stick that was pulled out leaves an empty folder, not files.
    assert mounted_sticks(root) == []
    assert find_import_files(root) == []
    assert find_import_files(tmp_path / "missing") == []


def _fake_timedatectl(tmp_path: Path, script: str) -> Path:
    exe = tmp_path / "timedatectl"
    exe.write_text(f"#!/bin/sh\necho \"$@\" >> '{tmp_path / 'calls.txt'}'\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_set_time_goes_through_timedatectl_without_a_password_prompt(tmp_path: Path) -> None:
    from datetime import datetime

    from kiosk.adapters.system import set_time

    exe = _fake_timedatectl(tmp_path, "exit 0")
    result = set_time(datetime(2026, 6, 1, 14, 5), timedatectl=str(exe))
    assert result.ok and "01 Jun 2026, 14:05" in result.message
    assert (tmp_path / "calls.txt").read_text().splitlines() == [
        "--no-ask-password set-time 2026-06-01 14:05:00"
    ]


def test_set_time_switches_sync_off_and_on_when_timedated_insists(tmp_path: Path) -> None:
    from datetime import datetime

    from kiosk.adapters.system import set_time

    script = (
        'if [ "$2" = set-time ] && [ ! -f ' + str(tmp_path / "ntp-off") + " ]; then "
        'echo "Failed to set time: Automatic time synchronization is enabled" >&2; exit 1; fi\n'
        'if [ "$2" = set-ntp ] && [ "$3" = false ]; then touch ' + str(tmp_path / "ntp-off") + "; fi\nexit 0"
    )
    exe = _fake_timedatectl(tmp_path, script)
    assert set_time(datetime(2026, 6, 1, 9, 0), timedatectl=str(exe)).ok
    assert (tmp_path / "calls.txt").read_text().splitlines() == [
        "--no-ask-password set-time 2026-06-01 09:00:00",
        "--no-ask-password set-ntp false",
        "--no-ask-password set-time 2026-06-01 09:00:00",
        "--no-ask-password set-ntp true",
    ]


def test_set_time_denied_by_polkit_is_a_clear_message(tmp_path: Path) -> None:
    from datetime import datetime

    from kiosk.adapters.system import set_time

    exe = _fake_timedatectl(tmp_path, 'echo "Failed to set time: Access denied" >&2; exit 1')
    result = set_time(datetime(2026, 6, 1, 9, 0), timedatectl=str(exe))
    assert not result.ok and "install.sh" in result.message
    assert not set_time(datetime(2026, 6, 1), timedatectl=str(tmp_path / "nope")).ok


def test_clock_synchronised_follows_timesyncd_marker(tmp_path: Path) -> None:
    from kiosk.adapters.clock import clock_synchronised

    marker = tmp_path / "synchronized"
    assert not clock_synchronised(marker)
    marker.touch()
    assert clock_synchronised(marker)
