"""Power off / reboot through a stand-in systemctl, and finding import files on USB sticks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.adapters.system import clock_synchronized, power_off, reboot
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


def test_clock_synchronized_follows_timesyncd_marker(tmp_path: Path) -> None:
    marker = tmp_path / "synchronized"
    assert not clock_synchronized(marker)
    marker.touch()
    assert clock_synchronized(marker)
