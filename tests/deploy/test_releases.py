"""deploy/kiosk-release.sh over a look-alike root with fake releases: flip, health check, rollback, bundles.

A fake release is a folder with a small `bin/kiosk` that answers like the real one (`doctor --json`, `backup`,
`restore`, `report --rebuild`); a fake systemctl says whether the kiosk is READY ("active") by looking at the
release `current` points to. ALSA's /proc status files under the root say whether music plays.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run

RELEASE = str(DEPLOY / "kiosk-release.sh")

FAKE_KIOSK = """#!/bin/sh
# stand-in for a release's kiosk: --data-dir D doctor --json | backup DIR | restore DIR | report --rebuild
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$1" = --data-dir ] || exit 9
data=$2; shift 2
case "$1" in
  doctor) cat "$here/doctor.json" ;;
  backup) mkdir "$2" && cp -a "$data/." "$2/" ;;
  restore) find "$data" -mindepth 1 -delete && cp -a "$2/." "$data/" ;;
  report) [ "$2" = --rebuild ] && echo "$(basename "$here")" > "$data/rollups-rebuilt-by" ;;
  *) exit 9 ;;
esac
"""

FAKE_SYSTEMCTL = """#!/bin/sh
# stand-in for systemctl: records its calls; is-active = "active" unless the current release never gets READY
echo "$*" >> "{log}"
case "$1" in
  is-active) if [ -e "{root}/opt/encore/current/never-ready" ]; then echo activating; exit 3; fi; echo active ;;
esac
exit 0
"""


def _doctor(*fails: str) -> str:
    rows = [{"status": "OK", "name": "python", "detail": "", "hint": ""}]
    rows += [{"status": "FAIL", "name": name, "detail": "x", "hint": ""} for name in fails]
    return json.dumps({"ok": not fails, "checks": rows})


@pytest.fixture
def pi(tmp_path: Path) -> dict:
    root = tmp_path / "root"
    (root / "opt/encore/releases").mkdir(parents=True)
    (root / "var/lib/kiosk/events").mkdir(parents=True)
    (root / "var/lib/kiosk/residents.json").write_text('{"format": 1}')
    (root / "var/lib/kiosk/events/2026-05-27.jsonl").write_text('{"e": "song_start"}\n')
    log = tmp_path / "systemctl.log"
    systemctl = tmp_path / "systemctl"
    systemctl.write_text(FAKE_SYSTEMCTL.format(log=log, root=root))
    systemctl.chmod(0o755)
    return {"root": root, "log": log, "env": {"ENCORE_SYSTEMCTL": str(systemctl)}}


def _release(
    pi: dict, name: str, *, data_format: int = 1, fails: tuple[str, ...] = (), ready: bool = True
) -> Path:
    folder = pi["root"] / "opt/encore/releases" / name
    (folder / "bin").mkdir(parents=True)
    (folder / "share/encore").mkdir(parents=True)
    (folder / "bin/kiosk").write_text(FAKE_KIOSK)
    (folder / "bin/kiosk").chmod(0o755)
    (folder / "doctor.json").write_text(_doctor(*fails))
    (folder / "share/encore/data-format").write_text(f"{data_format}\n")
    if not ready:
        (folder / "never-ready").touch()
    return folder


def _tool(pi: dict, *args: str):
    opts = [
        "--root",
        str(pi["root"]),
        "--user",
        "",
        "--ready-timeout-s",
        "1",
        "--poll-s",
        "1",
        "--idle-wait-s",
        "0",
    ]
    return run([RELEASE, *args, *opts], env=pi["env"])


def _current(pi: dict) -> str:
    link = pi["root"] / "opt/encore/current"
    assert link.is_symlink()
    return os.readlink(link)


def test_first_activation_and_a_healthy_update_flip_the_link(pi: dict) -> None:
    _release(pi, "0.1.0-aaaaaaa")
    first = _tool(pi, "activate", "0.1.0-aaaaaaa")
    assert first.returncode == 0, first.stderr
    assert _current(pi) == "releases/0.1.0-aaaaaaa"  # relative: the same link works inside an image
    _release(pi, "0.2.0-bbbbbbb", fails=())
    done = _tool(pi, "activate", "0.2.0-bbbbbbb")
    assert done.returncode == 0, done.stderr
    assert _current(pi) == "releases/0.2.0-bbbbbbb"
    assert "health check passed" in done.stdout
    assert pi["log"].read_text().splitlines()[-3:] == [
        "stop kiosk.service",
        "start kiosk.service",
        "is-active kiosk.service",
    ]
    listed = _tool(pi, "list").stdout.splitlines()
    assert listed == ["0.1.0-aaaaaaa (previous)", "0.2.0-bbbbbbb (current)"]
    assert not (pi["root"] / "opt/encore/.current.new").exists()
    again = _tool(pi, "activate", "0.2.0-bbbbbbb")
    assert again.returncode == 0 and "already current" in again.stdout


def test_a_fail_the_old_release_also_had_does_not_roll_back(pi: dict) -> None:
    _release(pi, "old", fails=("sound card",))
    assert _tool(pi, "activate", "old").returncode == 0
    _release(pi, "new", fails=("sound card",))
    done = _tool(pi, "activate", "new")
    assert done.returncode == 0, done.stderr
    assert _current(pi) == "releases/new"


@pytest.mark.parametrize("broken", ["new FAIL", "never READY"])
def test_unhealthy_update_flips_back_and_restores_the_pre_update_backup(pi: dict, broken: str) -> None:
    data = pi["root"] / "var/lib/kiosk"
    _release(pi, "old", data_format=1)
    assert _tool(pi, "activate", "old").returncode == 0
    if broken == "new FAIL":
        _release(pi, "new", data_format=2, fails=("data folder",))
    else:
        _release(pi, "new", data_format=2, ready=False)
    # The new release would migrate the data as it starts: stand in for that by changing it now.
    (data / "residents.json").write_text('{"format": 2}')  # (before activate: the backup must come first)
    (data / "residents.json").write_text('{"format": 1}')
    done = _tool(pi, "activate", "new")
    assert done.returncode == 1
    assert "flipping back to old" in done.stderr and "failed its health check" in done.stderr
    assert _current(pi) == "releases/old"
    backups = sorted((pi["root"] / "var/backups/kiosk").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("pre-update-old-to-new-")
    assert json.loads((data / "residents.json").read_text()) == {"format": 1}
    if broken == "new FAIL":
        assert "data folder" in done.stderr
    else:
        assert "not READY" in done.stderr
    assert (pi["root"] / "opt/encore/releases/new").is_dir()  # kept, to look at


def test_no_backup_when_the_data_format_stays(pi: dict) -> None:
    _release(pi, "old")
    _release(pi, "new")
    assert _tool(pi, "activate", "old").returncode == 0
    assert _tool(pi, "activate", "new").returncode == 0
    assert not (pi["root"] / "var/backups/kiosk").exists()


def test_never_while_music_plays(pi: dict) -> None:
    _release(pi, "old")
    _release(pi, "new")
    assert _tool(pi, "activate", "old").returncode == 0
    status = pi["root"] / "proc/asound/card1/pcm0p/sub0/status"
    status.parent.mkdir(parents=True)
    status.write_text("state: RUNNING\nowner_pid   : 812\n")
    calls = pi["log"].read_text()
    done = _tool(pi, "activate", "new")
    assert done.returncode == 75 and "music is still playing" in done.stderr
    assert _current(pi) == "releases/old" and pi["log"].read_text() == calls  # not even stopped
    status.write_text("closed\n")
    assert _tool(pi, "activate", "new").returncode == 0


def test_manual_rollback_restores_the_backup_keeps_new_journal_days_and_rebuilds_rollups(pi: dict) -> None:
    data = pi["root"] / "var/lib/kiosk"
    _release(pi, "old", data_format=1)
    _release(pi, "new", data_format=2)
    assert _tool(pi, "activate", "old").returncode == 0
    assert _tool(pi, "activate", "new").returncode == 0
    backup = next((pi["root"] / "var/backups/kiosk").iterdir())
    os.utime(backup, (1_700_000_000, 1_700_000_000))
    # Days of use on the new release: it migrated the data and wrote more journal.
    (data / "residents.json").write_text('{"format": 2}')
    (data / "events/2026-05-27.jsonl").write_text('{"e": "song_start"}\n{"e": "smile"}\n')
    (data / "events/2026-05-28.jsonl").write_text('{"e": "song_start"}\n')
    done = _tool(pi, "rollback")
    assert done.returncode == 0, done.stderr
    assert _current(pi) == "releases/old"
    assert json.loads((data / "residents.json").read_text()) == {"format": 1}  # the old release's format
    assert (data / "events/2026-05-27.jsonl").read_text().count("\n") == 2  # the longer day file is kept
    assert (data / "events/2026-05-28.jsonl").exists()
    assert (data / "rollups-rebuilt-by").read_text().strip() == "old"
    assert _tool(pi, "list").stdout.splitlines() == ["new (previous)", "old (current)"]


def test_rollback_without_a_previous_release_is_a_clear_error(pi: dict) -> None:
    _release(pi, "only")
    assert _tool(pi, "activate", "only").returncode == 0
    done = _tool(pi, "rollback")
    assert done.returncode == 1 and "no previous release" in done.stderr


def test_old_releases_are_pruned_but_never_current_or_previous(pi: dict) -> None:
    for i, name in enumerate(["r1", "r2", "r3", "r4", "r5"]):
        folder = _release(pi, name)
        os.utime(folder, (1_700_000_000 + i, 1_700_000_000 + i))
        assert _tool(pi, "activate", name, "--keep", "2").returncode == 0
    assert sorted(p.name for p in (pi["root"] / "opt/encore/releases").iterdir()) == ["r4", "r5"]


# --- a USB bundle signed with the project's Ed25519 key --------------------------------------------------------


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    out = {}
    for who in ("project", "stranger"):
        private, public = tmp_path / f"{who}.key", tmp_path / f"{who}.pub"
        _openssl("genpkey", "-algorithm", "ed25519", "-out", str(private))
        _openssl("pkey", "-in", str(private), "-pubout", "-out", str(public))
        out[who], out[f"{who}.pub"] = private, public
    return out


def _bundle(tmp_path: Path, marker: Path) -> Path:
    src = tmp_path / "src/encore/deploy"
    src.mkdir(parents=True)
    (src / "install.sh").write_text(f'#!/bin/sh\necho "installer ran: $*" > "{marker}"\n')
    (src / "install.sh").chmod(0o755)
    bundle = tmp_path / "encore-0.2.0-bbbbbbb.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(tmp_path / "src/encore", arcname="encore")
    return bundle


def _sign(bundle: Path, key: Path) -> None:
    _openssl("pkeyutl", "-sign", "-inkey", str(key), "-rawin", "-in", str(bundle), "-out", f"{bundle}.sig")


def test_signed_bundle_installs_and_tampered_or_foreign_ones_never_run(
    pi: dict, keys: dict, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    bundle = _bundle(tmp_path, marker)
    key = ["--key", str(keys["project.pub"])]

    missing = _tool(pi, "install-bundle", str(bundle), *key)
    assert missing.returncode == 1 and "without the project's signature" in missing.stderr

    _sign(bundle, keys["stranger"])
    foreign = _tool(pi, "install-bundle", str(bundle), *key)
    assert foreign.returncode == 1 and "does NOT match" in foreign.stderr and not marker.exists()

    _sign(bundle, keys["project"])
    good = bundle.read_bytes()
    bundle.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # one bit changed after signing
    tampered = _tool(pi, "install-bundle", str(bundle), *key)
    assert tampered.returncode == 1 and "does NOT match" in tampered.stderr and not marker.exists()

    bundle.write_bytes(good)
    done = _tool(pi, "install-bundle", str(bundle), *key)
    assert done.returncode == 0, done.stderr
    assert "signature OK" in done.stdout
    assert marker.read_text().strip() == f"installer ran: --yes --skip-apt --root {pi['root']}"

    nokey = _tool(pi, "verify-bundle", str(bundle))
    assert nokey.returncode == 1 and "no release key" in nokey.stderr


def test_make_bundle_signs_what_install_bundle_accepts(keys: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    made = run(
        [str(DEPLOY / "make-bundle.sh"), "--key", str(keys["project"]), "--out", str(out), "--no-wheels"]
    )
    assert made.returncode == 0, made.stderr
    (bundle,) = out.glob("*.tar.gz")
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
        commit = tar.extractfile("encore/COMMIT").read().decode().strip()  # type: ignore[union-attr]
    assert "encore/deploy/install.sh" in names and "encore/requirements/py3.11.lock" in names
    assert bundle.name == f"encore-0.1.0-{commit}.tar.gz"
    ok = run([RELEASE, "verify-bundle", str(bundle), "--key", str(keys["project.pub"])])
    assert ok.returncode == 0 and "signature OK" in ok.stdout
    other = run([RELEASE, "verify-bundle", str(bundle), "--key", str(keys["stranger.pub"])])
    assert other.returncode == 1
