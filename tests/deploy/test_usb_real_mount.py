"""Real USB-stick stand-ins: filesystem images on loop devices, mounted by deploy/kiosk-usb-mount.sh.

Needs root and loop devices (this container has both; a laptop run as a normal user skips). Checks what the
staff screen and the backup rely on: an import stick is mounted read-only, readable by the kiosk user only, found
by kiosk.adapters.usb.find_import_files, and unmounted on removal; the ENCORE-BACKUP stick is mounted
read-write and receives an encrypted backup from kiosk-backup.sh because it is a real mount point.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.adapters.usb import find_import_files
from tests.deploy.conftest import DEPLOY, run
from tests.deploy.test_backup_usb_toml import STAND_IN_KIOSK

USB = str(DEPLOY / "kiosk-usb-mount.sh")


def _can_loop() -> bool:
    return os.geteuid() == 0 and shutil.which("losetup") is not None and Path("/dev/loop-control").exists()


pytestmark = pytest.mark.skipif(not _can_loop(), reason="needs root and loop devices to mount stick images")


@pytest.fixture
def make_stick(tmp_path: Path) -> Iterator:
    loops: list[str] = []

    def make(fstype: str, label: str, files: dict[str, str]) -> str:
        mkfs = {"ext4": ["mkfs.ext4", "-q", "-L", label], "vfat": ["mkfs.vfat", "-n", label]}[fstype]
        if shutil.which(mkfs[0]) is None:
            pytest.skip(f"{mkfs[0]} is not installed")
        if fstype not in Path("/proc/filesystems").read_text().split():
            pytest.skip(f"this kernel cannot mount {fstype} (no module in this container)")
        image = tmp_path / f"{label}.img"
        with image.open("wb") as fh:
            fh.truncate(16 * 1024 * 1024)
        subprocess.run([*mkfs, str(image)], check=True, capture_output=True)
        loop = subprocess.run(
            ["losetup", "-f", "--show", str(image)], check=True, capture_output=True, text=True
        )
        dev = loop.stdout.strip()
        loops.append(dev)
        fill = tmp_path / f"fill-{label}"
        fill.mkdir()
        subprocess.run(["mount", dev, str(fill)], check=True)
        try:
            for rel, text in files.items():
                (fill / rel).parent.mkdir(parents=True, exist_ok=True)
                (fill / rel).write_text(text)
        finally:
            subprocess.run(["umount", str(fill)], check=True)
        return dev.removeprefix("/dev/")

    yield make
    for dev in loops:
        subprocess.run(["umount", "-l", f"/dev/{dev}"], capture_output=True)
        subprocess.run(["losetup", "-d", dev], capture_output=True)


@pytest.fixture
def usb_env(tmp_path: Path) -> dict[str, str]:
    return {
        "KIOSK_USB_ROOT": str(tmp_path / "media/kiosk-usb"),
        "KIOSK_BACKUP_MOUNT": str(tmp_path / "media/kiosk-backup"),
        "KIOSK_USB_STATE": str(tmp_path / "run/kiosk-usb"),
        "KIOSK_USB_USER": "nobody",
    }


@pytest.mark.parametrize("fstype", ["vfat", "ext4"])
def test_import_stick_is_read_only_for_the_kiosk_user_and_found(
    make_stick, usb_env, tmp_path: Path, fstype: str
) -> None:
    dev = make_stick(
        fstype, "CARE HOME", {"residents.csv": "id,name\n", "Lists/more.json": "[]", "song.mp3": "x"}
    )
    done = run([USB, "add", dev], env=usb_env)
    assert done.returncode == 0, done.stdout + done.stderr
    root = Path(usb_env["KIOSK_USB_ROOT"])
    stick = root / "CARE_HOME"
    try:
        assert os.path.ismount(stick)
        options = run(["findmnt", "-no", "OPTIONS", str(stick)]).stdout
        assert (
            options.startswith("ro,") and "nosuid" in options and "nodev" in options and "noexec" in options
        )
        if fstype == "vfat":  # no owners on FAT: the mount gives the files to the kiosk user alone
            csv = stick / "residents.csv"
            assert csv.stat().st_uid == pwd.getpwnam("nobody").pw_uid
            assert stat.S_IMODE(csv.stat().st_mode) == 0o640
        with pytest.raises(OSError):
            (stick / "new.csv").write_text("no")
        assert sorted(p.name for p in find_import_files(root)) == ["more.json", "residents.csv"]
    finally:
        removed = run([USB, "remove", dev], env=usb_env)
    assert removed.returncode == 0, removed.stderr
    assert not stick.exists()
    assert find_import_files(root) == []


def test_backup_stick_is_writable_and_gets_an_encrypted_backup(make_stick, usb_env, tmp_path: Path) -> None:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    dev = make_stick("ext4", "ENCORE-BACKUP", {})
    done = run([USB, "add", dev], env=usb_env)
    assert done.returncode == 0, done.stderr
    mount = Path(usb_env["KIOSK_BACKUP_MOUNT"])
    try:
        assert os.path.ismount(mount)
        assert run(["findmnt", "-no", "OPTIONS", str(mount)]).stdout.startswith("rw,")
        data = tmp_path / "data"
        data.mkdir()
        (data / "residents.json").write_text('{"name": "Fictional Resident"}')
        kiosk = tmp_path / "kiosk"
        kiosk.write_text(STAND_IN_KIOSK)
        kiosk.chmod(0o755)
        passfile = tmp_path / "pass"
        passfile.write_text("a long enough passphrase\n")
        backup = run(
            [str(DEPLOY / "kiosk-backup.sh"), "backup", "--data-dir", str(data), "--local", str(tmp_path / "local"),
             "--stick", str(mount), "--passphrase-file", str(passfile), "--kiosk", str(kiosk), "--user", ""]
        )  # fmt: skip
        assert backup.returncode == 0, backup.stderr
        written = list((mount / "encore-backups").glob("*.tar.gpg"))
        assert len(written) == 1 and b"Fictional" not in written[0].read_bytes()
    finally:
        run([USB, "remove", dev], env=usb_env)
    assert not os.path.ismount(mount)


def _unit_service_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY.parent / "systemd/kiosk-usb-mount@.service").read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_mount_under_the_units_own_limits_is_seen_outside(make_stick, usb_env, tmp_path: Path) -> None:
    """The helper runs with the unit's capability bounding set, no-new-privileges and umask (read from the
    unit file, applied with setpriv: systemd is not PID 1 here), and its mount is visible from this process's
    mount namespace, as it must be for the kiosk and the backup."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    unit = _unit_service_settings()
    caps = ",".join("+" + c.lower().removeprefix("cap_") for c in unit["CapabilityBoundingSet"][0].split())
    assert unit["NoNewPrivileges"] == ["yes"]
    dev = make_stick("ext4", "EncoreBkup", {})
    limited = [
        "setpriv", f"--bounding-set=-all,{caps}", "--inh-caps=-all", "--no-new-privs", "--",
        "sh", "-c", f'umask {unit["UMask"][0]} && exec "$@"', "sh",
    ]  # fmt: skip
    done = run([*limited, USB, "add", dev], env=usb_env)
    mount = Path(usb_env["KIOSK_BACKUP_MOUNT"])
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert os.path.ismount(mount)  # seen from outside the helper
        assert run(["findmnt", "-no", "OPTIONS", str(mount)]).stdout.startswith("rw,")
    finally:
        removed = run([*limited, USB, "remove", dev], env=usb_env)
    assert removed.returncode == 0, removed.stderr
    assert not os.path.ismount(mount)


def test_without_the_mount_capability_the_helper_cannot_mount(make_stick, usb_env) -> None:
    """The bounding set above is real: with CAP_SYS_ADMIN dropped too, the same call fails."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    dev = make_stick("ext4", "CARE", {})
    done = run(
        ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", USB, "add", dev], env=usb_env
    )
    assert done.returncode != 0
    assert not os.path.ismount(Path(usb_env["KIOSK_USB_ROOT"]) / "CARE")
