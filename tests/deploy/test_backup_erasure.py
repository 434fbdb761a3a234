"""Erasure reaches the nightly backups: kiosk-backup.sh with the real `kiosk` notes each backup in
<data>/backup-log.jsonl, `kiosk residents remove` says which backups still hold the resident and when they age
out, and the next nightly run rewrites the local copies on this Pi without them."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.cli.erasure_support import STAFF_ID, find_needles, kiosk_cli, seed
from tests.deploy.conftest import DEPLOY, REPO, run

BACKUP = str(DEPLOY / "kiosk-backup.sh")


@pytest.fixture
def pi(tmp_path: Path) -> dict[str, Path]:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed (Debian package gnupg, in scripts/apt-packages.txt)")
    paths = {name: tmp_path / name for name in ("data", "local", "stick", "kiosk", "pass")}
    paths["data"].mkdir(mode=0o700)
    paths["stick"].mkdir()
    paths["kiosk"].write_text(f'#!/bin/sh\nPYTHONPATH={REPO} exec {sys.executable} -m kiosk "$@"\n')
    paths["kiosk"].chmod(0o755)
    paths["pass"].write_text("correct horse battery staple\n")
    paths["pass"].chmod(0o600)
    return paths


def _nightly(pi: dict[str, Path], *extra: str) -> str:
    opts = [
        "--data-dir", str(pi["data"]), "--local", str(pi["local"]), "--stick", str(pi["stick"]),
        "--passphrase-file", str(pi["pass"]), "--kiosk", str(pi["kiosk"]), "--user", "", "--no-service",
    ]  # fmt: skip
    done = run([BACKUP, "backup", *opts, *extra], env={"PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
    return done.stdout


def test_nightly_backups_are_logged_remove_names_them_and_the_next_run_rewrites_local_ones(pi, tmp_path):
    seeded = seed(tmp_path, pi["data"])
    _nightly(pi)
    _nightly(pi)
    _nightly(pi, "--force-stick")
    log = [json.loads(x) for x in (pi["data"] / "backup-log.jsonl").read_text().splitlines()]
    assert [x["where"] for x in log] == ["local", "local", "usb"]
    locals_ = sorted(str(p) for p in pi["local"].iterdir())
    stick = [str(p) for p in (pi["stick"] / "encore-backups").iterdir()]
    assert [x["path"] for x in log] == [*locals_, *stick]
    assert all(seeded.resident_id in x["resident_ids"] for x in log)
    assert find_needles(pi["local"], seeded.needles())  # the copies on this Pi hold her, for now

    done = kiosk_cli(pi["data"], "residents", "remove", STAFF_ID, "--yes")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Backups that still hold the profile:" in out
    for path in locals_:
        assert f"{path} (on this Pi" in out and "rewritten without them by the next nightly backup run" in out
    assert f"{stick[0]} (encrypted, backup stick" in out and "deleted by the rotation around" in out

    _nightly(pi)  # the next night: a new local copy, and the older ones rewritten
    assert find_needles(pi["local"], seeded.needles()) == []
    latest = {}
    for x in (json.loads(x) for x in (pi["data"] / "backup-log.jsonl").read_text().splitlines()):
        latest[x["path"]] = x
    assert all(seeded.resident_id not in x["resident_ids"] for x in latest.values() if x["where"] == "local")
    # the rewritten local copies still restore (their checksums were remade)
    oldest = sorted(pi["local"].iterdir())[0]
    fresh = tmp_path / "fresh"
    restored = kiosk_cli(fresh, "restore", str(oldest))
    assert restored.returncode == 0, restored.stderr
    assert find_needles(fresh, seeded.needles()) == []
    assert oct(os.stat(pi["data"] / "backup-log.jsonl").st_mode & 0o777) == "0o600"
