"""The backup wrapper (rotation, encryption onto a stick, restore), the USB mount script and tomlset.py.

`kiosk backup DIR` / `kiosk restore DIR` belong to the storage part and are tested there; here a small
stand-in program with the same command line lets the wrapper's own work be tested: where copies go, how many
are kept, that a copy leaving the Pi is encrypted and restores.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run

BACKUP = str(DEPLOY / "kiosk-backup.sh")
USB = str(DEPLOY / "kiosk-usb-mount.sh")
MARKER = "Fictional Resident Ada Example"

STAND_IN_KIOSK = """#!/bin/sh
# kiosk --data-dir DATA backup|restore DIR (stand-in: a plain copy)
[ "$1" = --data-dir ] || exit 9
data=$2; cmd=$3; dir=$4
case "$cmd" in
  backup) [ -e "$dir" ] && exit 8; mkdir "$dir" && cp -a "$data/." "$dir/" ;;
  restore) find "$data" -mindepth 1 -delete && cp -R "$dir/." "$data/" ;;
  *) exit 9 ;;
esac
"""


@pytest.fixture
def pi(tmp_path: Path) -> dict[str, Path]:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed (Debian package gnupg, in scripts/apt-packages.txt)")
    paths = {name: tmp_path / name for name in ("data", "local", "stick", "kiosk", "pass")}
    paths["data"].mkdir()
    (paths["data"] / "residents.json").write_text(json.dumps({"name": MARKER}))
    paths["stick"].mkdir()
    paths["kiosk"].write_text(STAND_IN_KIOSK)
    paths["kiosk"].chmod(0o755)
    paths["pass"].write_text("correct horse battery staple\n")
    paths["pass"].chmod(0o600)
    return paths


def _opts(pi: dict[str, Path]) -> list[str]:
    return [
        "--data-dir", str(pi["data"]), "--local", str(pi["local"]), "--stick", str(pi["stick"]),
        "--passphrase-file", str(pi["pass"]), "--kiosk", str(pi["kiosk"]), "--user", "", "--no-service",
    ]  # fmt: skip


def _backup(pi: dict[str, Path], *extra: str):
    done = run([BACKUP, "backup", *_opts(pi), *extra])
    assert done.returncode == 0, done.stderr
    return done


def test_local_backups_rotate_keeping_n(pi: dict[str, Path]) -> None:
    made = [_backup(pi, "--keep", "2").stdout.split("wrote ")[1].split(" ")[0] for _ in range(4)]
    assert len(set(made)) == 4  # several within one second still get their own names
    kept = sorted(p.name for p in pi["local"].iterdir())
    assert [str(pi["local"] / name) for name in kept] == made[-2:]
    assert json.loads((pi["local"] / kept[-1] / "residents.json").read_text())["name"] == MARKER
    assert not list(pi["stick"].iterdir())  # the stick folder is not a mount point: nothing went there
    assert oct(pi["local"].stat().st_mode & 0o777) == "0o700"


def test_stick_backup_is_encrypted_and_restores(pi: dict[str, Path]) -> None:
    out = _backup(pi, "--force-stick").stdout
    files = list((pi["stick"] / "encore-backups").iterdir())
    assert len(files) == 1 and files[0].name.endswith(".tar.gpg") and "(encrypted)" in out
    raw = files[0].read_bytes()
    assert MARKER.encode() not in raw and b"residents" not in raw
    with pytest.raises(tarfile.ReadError), tarfile.open(files[0]):
        pass
    assert not list(pi["local"].glob("encore-*")) and not list(
        pi["local"].glob(".work*")
    )  # no plain copy left

    (pi["data"] / "residents.json").write_text(json.dumps({"name": "changed"}))
    done = run([BACKUP, "restore", str(files[0]), "--yes", *_opts(pi)])
    assert done.returncode == 0, done.stderr
    assert json.loads((pi["data"] / "residents.json").read_text())["name"] == MARKER

    listed = run([BACKUP, "list", *_opts(pi)]).stdout.split()
    assert listed == [str(files[0])]


def test_restore_with_the_wrong_passphrase_changes_nothing(pi: dict[str, Path], tmp_path: Path) -> None:
    _backup(pi, "--force-stick")
    backup = next((pi["stick"] / "encore-backups").iterdir())
    (pi["data"] / "residents.json").write_text("today")
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    done = run([BACKUP, "restore", str(backup), "--yes", *_opts(pi), "--passphrase-file", str(wrong)])
    assert done.returncode == 1 and "cannot decrypt" in done.stderr
    assert (pi["data"] / "residents.json").read_text() == "today"


def test_stick_without_passphrase_file_refuses(pi: dict[str, Path]) -> None:
    pi["pass"].unlink()
    done = run([BACKUP, "backup", *_opts(pi), "--force-stick"])
    assert done.returncode == 1 and "no passphrase file" in done.stderr
    assert not (pi["stick"] / "encore-backups").exists()


def test_restore_needs_confirmation_and_dry_run_changes_nothing(pi: dict[str, Path]) -> None:
    _backup(pi)
    backup = next(pi["local"].glob("encore-*"))
    (pi["data"] / "residents.json").write_text("today")
    done = run([BACKUP, "restore", str(backup), *_opts(pi)])
    assert done.returncode == 1 and "--yes" in done.stderr
    dry = run([BACKUP, "restore", str(backup), "--dry-run", *_opts(pi)])
    assert dry.returncode == 0 and "would run:" in dry.stdout
    dry_backup = run([BACKUP, "backup", "--dry-run", *_opts(pi)])
    assert dry_backup.returncode == 0 and "would run:" in dry_backup.stdout
    assert (pi["data"] / "residents.json").read_text() == "today"
    assert len(list(pi["local"].glob("encore-*"))) == 1


def test_failed_kiosk_backup_is_reported(pi: dict[str, Path]) -> None:
    pi["kiosk"].write_text("#!/bin/sh\necho 'data folder is locked' >&2\nexit 1\n")
    done = run([BACKUP, "backup", *_opts(pi), "--force-stick"])
    assert done.returncode == 1 and "kiosk backup failed" in done.stderr
    assert not list((pi["stick"] / "encore-backups").iterdir())
    assert not pi["local"].exists()  # and no plain copy was left on the Pi either


@pytest.mark.parametrize("keep", ["0", "x", ""])
def test_bad_keep_is_refused(pi: dict[str, Path], keep: str) -> None:
    done = run([BACKUP, "backup", *_opts(pi), "--keep", keep])
    assert done.returncode != 0 and "keep" in done.stderr


def test_usb_import_sticks_mount_read_only_for_the_kiosk_and_backup_stick_read_write() -> None:
    imp = run([USB, "add", "sdx1", "--dry-run", "--label", "Care Home/../Stick", "--fstype", "vfat"])
    assert imp.returncode == 0, imp.stderr
    mount = next(ln for ln in imp.stdout.splitlines() if "mount -t" in ln)
    assert mount.startswith("would run: mount -t vfat -o ro,nosuid,nodev,noexec,")
    assert "fmask=0137,dmask=0027" in mount
    assert mount.endswith("/dev/sdx1 /media/kiosk-usb/Care_Home_.._Stick")

    bak = run([USB, "add", "sdx1", "--dry-run", "--label", "ENCORE-BACKUP", "--fstype", "exfat"])
    mount = next(ln for ln in bak.stdout.splitlines() if "mount -t" in ln)
    assert "-o rw," in mount and mount.endswith("/dev/sdx1 /media/kiosk-backup")

    unlabelled = run([USB, "add", "sdx2", "--dry-run", "--label", "", "--fstype", "ext4"])
    assert "/media/kiosk-usb/sdx2" in unlabelled.stdout

    hidden = run([USB, "add", "sdx3", "--dry-run", "--label", "..", "--fstype", "ext4"])
    assert "/media/kiosk-usb/sdx3" in hidden.stdout  # never a hidden or parent folder


def test_usb_mount_refuses_odd_device_names() -> None:
    for dev in ("../sda1", "", ".x"):
        done = run([USB, "add", dev, "--dry-run", "--fstype", "vfat", "--label", "X"])
        assert done.returncode == 2, dev
    empty = run([USB, "add", "sdx1", "--dry-run", "--fstype", "", "--label", "X"])
    assert empty.returncode == 0 and "holds no filesystem" in empty.stdout and "mount -t" not in empty.stdout


def _tomlset():
    spec = importlib.util.spec_from_file_location("tomlset", DEPLOY / "tomlset.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tomlset_keeps_comments_and_places_keys(tmp_path: Path) -> None:
    ts = _tomlset()
    text = '# top\n[display]\n# dpi = 133.0\nwidth = 800  # px\n\n[audio]\ndevice = "x"\n'
    text = ts.set_key(text, "display", "dpi", 210)
    assert text.startswith("# top\n[display]\n# dpi = 133.0\ndpi = 210\nwidth = 800  # px\n")
    text = ts.set_key(text, "audio", "device", 'plughw:CARD="odd"\\name')
    text = ts.set_key(text, "kiosk", "staff_pin_hash", "scrypt$ab$cd")
    text = ts.set_key(text, "display", "fullscreen", True)
    import tomllib

    data = tomllib.loads(text)
    assert data["audio"]["device"] == 'plughw:CARD="odd"\\name'
    assert data["kiosk"]["staff_pin_hash"] == "scrypt$ab$cd"
    assert data["display"] == {"dpi": 210, "width": 800, "fullscreen": True}
    assert "# top" in text and "# dpi = 133.0" in text


def test_tomlset_command_line(tmp_path: Path) -> None:
    conf = tmp_path / "kiosk.toml"
    conf.write_text("[audio]\n")
    conf.chmod(0o640)
    tool = str(DEPLOY / "tomlset.py")
    assert run([tool, str(conf), "audio", "device", '"plughw:CARD=Headphones"']).returncode == 0
    assert oct(conf.stat().st_mode & 0o777) == "0o640"
    got = run([tool, "--get", str(conf), "audio", "device"])
    assert got.returncode == 0 and json.loads(got.stdout) == "plughw:CARD=Headphones"
    assert run([tool, "--get", str(conf), "audio", "nothing"]).returncode == 3
    conf.write_text("[audio\nbroken")
    bad = run([tool, str(conf), "audio", "device", '"x"'])
    assert bad.returncode == 1 and str(conf) in bad.stderr
    assert conf.read_text() == "[audio\nbroken"


def test_backup_and_restore_run_kiosk_as_an_unprivileged_user(pi: dict[str, Path]) -> None:
    """As on the Pi: root runs the wrapper, `kiosk backup|restore` runs as another user (here: nobody)."""
    import os
    import pwd
    import tempfile

    if os.geteuid() != 0:
        pytest.skip("needs root to switch user (as the backup service does)")
    shared = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="encore-test-"))
    try:
        shared.chmod(0o711)
        data = shared / "data"
        shutil.copytree(pi["data"], data)
        data.chmod(0o777)
        (data / "residents.json").chmod(0o666)
        kiosk = shared / "kiosk"
        shutil.copy(pi["kiosk"], kiosk)
        kiosk.chmod(0o755)
        opts = _opts(pi)
        opts[opts.index("--data-dir") + 1] = str(data)
        opts[opts.index("--kiosk") + 1] = str(kiosk)
        opts[opts.index("--user") + 1] = "nobody"
        env = {"TMPDIR": str(shared)}
        for where in ([], ["--force-stick"]):
            done = run([BACKUP, "backup", *opts, *where], env=env)
            assert done.returncode == 0, done.stderr
        local = next(pi["local"].glob("encore-*"))
        assert local.stat().st_uid == pwd.getpwnam("nobody").pw_uid  # made by the unprivileged user
        assert oct(pi["local"].stat().st_mode & 0o777) == "0o700"
        stick = next((pi["stick"] / "encore-backups").iterdir())
        (data / "residents.json").write_text("today")
        done = run([BACKUP, "restore", str(stick), "--yes", *opts], env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads((data / "residents.json").read_text())["name"] == MARKER
        assert sorted(p.name for p in shared.iterdir()) == ["data", "kiosk"]  # work folders cleaned up
    finally:
        shutil.rmtree(shared)
