"""install.sh --voice: the gentle voice's engine (the [voice] extra) from its own hashed lock, remembered for
updates (which run the installer again without options)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.deploy.conftest import DEPLOY, REPO, run
from tests.deploy.test_install import PI_ENV

INSTALL = str(DEPLOY / "install.sh")


def _release_line(out: str) -> str:
    return next(ln for ln in out.splitlines() if ln.startswith("would make release ")).split()[3]


def test_voice_installs_from_the_voice_lock_into_a_release_of_its_own(fake_root: Path) -> None:
    done = run([INSTALL, "--dry-run", "--root", str(fake_root), "--yes", "--voice"], env=PI_ENV)
    assert done.returncode == 0, done.stderr
    release = _release_line(done.stdout)
    assert release.startswith("0.1.0-") and release.endswith("-voice")
    assert (
        f"would run: /opt/encore/releases/.{release}.building/bin/pip install --quiet --disable-pip-version-check"
        f" --require-hashes --no-deps -r {REPO}/requirements/py3.11-voice.lock"
    ) in done.stdout.splitlines()
    assert "would install file /etc/kiosk/voice-extra mode 0644 owner root:root" in done.stdout.splitlines()
    plain = run([INSTALL, "--dry-run", "--root", str(fake_root), "--yes"], env=PI_ENV)
    assert plain.returncode == 0 and not _release_line(plain.stdout).endswith("-voice")
    assert "voice-extra" not in plain.stdout


def test_an_update_keeps_the_voice(fake_root: Path) -> None:
    assert run([INSTALL, "--root", str(fake_root), "--yes", "--voice"], env=PI_ENV).returncode == 0
    assert (fake_root / "etc/kiosk/voice-extra").is_file()
    again = run(
        [INSTALL, "--dry-run", "--root", str(fake_root), "--yes"], env=PI_ENV
    )  # as kiosk-release.sh runs it
    assert again.returncode == 0, again.stderr
    assert "keeping the voice extra" in again.stdout
    assert re.search(r"^release \S+-voice: exists \(kept\)$", again.stdout, re.M), again.stdout


def test_voice_locks_carry_piper_with_hashes() -> None:
    for python in ("3.11", "3.13"):
        lock = (REPO / "requirements" / f"py{python}-voice.lock").read_text()
        assert "\npiper-tts==" in lock and "--hash=sha256:" in lock
