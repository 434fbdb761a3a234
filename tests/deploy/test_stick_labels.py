"""The backup stick's label on real FAT and exFAT images: what fits, what blkid reads, what the mount helper decides.

FAT and exFAT labels hold 11 characters, so the first name, ENCORE-BACKUP (13), could never be given to the
sticks care homes buy. The images are made by the real mkfs tools; `blkid -p` reads an image file without
mounting it. As root with loop devices the helper also probes the device itself (its own blkid call). This
kernel has no vfat/exfat driver (not in /proc/filesystems, no modprobe here), so the real mount of these two is
left to docs/pi-acceptance.md; ext4 sticks are mounted for real in test_usb_real_mount.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run

USB = str(DEPLOY / "kiosk-usb-mount.sh")
MKFS = {
    "vfat": lambda label: ["mkfs.vfat", "-n", label],
    "exfat": lambda label: ["mkfs.exfat", "-L", label],
    "ext4": lambda label: ["mkfs.ext4", "-q", "-L", label],
}
BACKUP_MOUNT = "/media/kiosk-backup"


def _image(tmp_path: Path, fstype: str, label: str) -> subprocess.CompletedProcess[str]:
    tool = MKFS[fstype](label)
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed (scripts/apt-packages.txt: dosfstools, exfatprogs)")
    image = tmp_path / f"{fstype}.img"
    with image.open("wb") as fh:
        fh.truncate(16 * 1024 * 1024)
    return subprocess.run([*tool, str(image)], capture_output=True, text=True, check=False)


def _blkid(path: Path | str) -> dict[str, str]:
    """TYPE and LABEL as the helper asks for them (`-o value`: no shell quoting of spaces)."""
    return {
        key: subprocess.run(
            ["blkid", "-p", "-o", "value", "-s", key, str(path)], capture_output=True, text=True, check=False
        ).stdout.strip()
        for key in ("TYPE", "LABEL")
    }


@pytest.mark.parametrize("fstype", ["vfat", "exfat"])
def test_the_old_label_does_not_fit_a_fat_or_exfat_stick(tmp_path: Path, fstype: str) -> None:
    made = _image(tmp_path, fstype, "ENCORE-BACKUP")
    assert made.returncode != 0  # mkfs refuses 13 characters: that is why backups never reached a stick
    assert _image(tmp_path, fstype, "ENCOREBKUP").returncode == 0


STICKS = [
    ("vfat", "ENCOREBKUP", "rw"),
    ("vfat", "encorebkup", "rw"),  # any case: Windows and macOS users type what they like
    ("exfat", "EncoreBkup", "rw"),
    ("ext4", "Encore-Backup", "rw"),  # the old name, in any case, on a stick that can hold it
    ("ext4", "ENCORE-BACKUP", "rw"),
    ("vfat", "ENCOREBKUP2", "ro"),  # a near miss is an import stick, read-only
    ("exfat", "CARE HOME", "ro"),
]


def _decision(stdout: str) -> tuple[str, str]:
    mount = next(line for line in stdout.splitlines() if "mount -t" in line)
    mode = mount.split(" -o ", 1)[1][:2]
    return mode, mount.rsplit(" ", 1)[1]


@pytest.mark.parametrize(("fstype", "label", "mode"), STICKS)
def test_mount_helper_decides_from_the_label_blkid_reads(
    tmp_path: Path, fstype: str, label: str, mode: str
) -> None:
    assert _image(tmp_path, fstype, label).returncode == 0
    probed = _blkid(tmp_path / f"{fstype}.img")
    assert (probed["TYPE"], probed["LABEL"]) == (fstype, label)
    done = run([USB, "add", "sdx1", "--dry-run", "--label", probed["LABEL"], "--fstype", probed["TYPE"]])
    assert done.returncode == 0, done.stderr
    got_mode, target = _decision(done.stdout)
    assert got_mode == mode
    if mode == "rw":
        assert target == BACKUP_MOUNT
    else:
        assert target.startswith("/media/kiosk-usb/")


def _can_loop() -> bool:
    return os.geteuid() == 0 and shutil.which("losetup") is not None and Path("/dev/loop-control").exists()


@pytest.mark.skipif(not _can_loop(), reason="needs root and loop devices to attach the stick images")
@pytest.mark.parametrize(("fstype", "label"), [("vfat", "EncoreBkup"), ("exfat", "ENCOREBKUP")])
def test_mount_helper_probes_a_real_device_itself(tmp_path: Path, fstype: str, label: str) -> None:
    """No --label/--fstype: the helper's own `blkid -p /dev/loopN` call finds the backup stick."""
    assert _image(tmp_path, fstype, label).returncode == 0
    attach = subprocess.run(
        ["losetup", "-f", "--show", str(tmp_path / f"{fstype}.img")],
        capture_output=True,
        text=True,
        check=True,
    )
    loop = attach.stdout.strip()
    try:
        done = run([USB, "add", loop.removeprefix("/dev/"), "--dry-run"])
    finally:
        subprocess.run(["losetup", "-d", loop], check=False)
    assert done.returncode == 0, done.stderr
    assert f"would run: mount -t {fstype} -o rw," in done.stdout
    assert _decision(done.stdout) == ("rw", BACKUP_MOUNT)
    supported = Path("/proc/filesystems").read_text().split()
    if fstype in supported:  # pragma: no cover - not on this kernel; a Pi has both
        pytest.fail(f"this kernel can mount {fstype}: extend test_usb_real_mount.py to mount it for real")
