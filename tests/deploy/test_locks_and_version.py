"""The dependency locks the installer uses, `kiosk --version`, the RTC option and the fleet's one-at-a-time update."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.conftest import DEPLOY, REPO, run
from tests.deploy.test_install import PI_ENV

INSTALL = str(DEPLOY / "install.sh")


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of sha256 hashes) from a pip requirements lock."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in lock.read_text().splitlines():
        head = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)", line)
        if head:
            name = canonicalize_name(head.group(1))
            pins[name] = (head.group(2), 0)
        elif "--hash=sha256:" in line and name:
            version, count = pins[name]
            pins[name] = (version, count + 1)
    return pins


@pytest.mark.parametrize("python", ["3.11", "3.13"])
def test_lock_pins_every_dependency_with_hashes_and_satisfies_pyproject(python: str) -> None:
    lock = REPO / "requirements" / f"py{python}.lock"
    pins = _pins(lock)
    assert pins and all(count >= 1 for _, count in pins.values()), "every pinned package carries its hashes"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted = [Requirement(r) for r in project["project"]["dependencies"]]
    wanted += [Requirement(r) for r in project["build-system"]["requires"]]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, f"{lock.name}: {req.name} not locked (run scripts/lock.sh)"
        assert req.specifier.contains(pins[name][0], prereleases=True), (
            f"{lock.name}: {name} {pins[name][0]} !{req}"
        )
    assert ("lgpio" in pins) == (python == "3.11")  # 3.13 (Trixie) uses the system's python3-lgpio


def test_kiosk_version_shows_the_commit(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True
    )
    expected = head.stdout.strip() if head.returncode == 0 else "unknown"
    assert re.fullmatch(r"encore-kiosk \d+\.\d+\.\d+ \(commit " + re.escape(expected) + r"\)\n", done.stdout)


def test_an_installed_release_reads_its_commit_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kiosk import build_info

    commit_file = tmp_path / "_commit.txt"
    commit_file.write_text("0123456789ab\n")
    monkeypatch.setattr(build_info, "COMMIT_FILE", commit_file)
    assert build_info.version_line().endswith("(commit 0123456789ab)")


@pytest.mark.parametrize("model", ["ds3231", "pcf8523"])
def test_rtc_hat_option(fake_root: Path, model: str) -> None:
    done = run([INSTALL, "--root", str(fake_root), "--yes", "--rtc", model], env=PI_ENV)
    assert done.returncode == 0, done.stderr
    config_txt = (fake_root / "boot/firmware/config.txt").read_text().splitlines()
    assert "dtparam=i2c_arm=on" in config_txt and f"dtoverlay=i2c-rtc,{model}" in config_txt
    unit = (fake_root / "etc/systemd/system/kiosk-rtc.service").read_text()
    # the marker the kiosk's clock-trust probe reads, written only after hwclock succeeded
    from kiosk.adapters.clock import RTC_MARKER

    assert f"ExecStartPost=/bin/touch {RTC_MARKER}" in unit
    assert f"RuntimeDirectory={RTC_MARKER.parent.name}" in unit
    assert "kiosk-rtc.service" in (fake_root / "etc/udev/rules.d/99-encore-rtc.rules").read_text()
    assert "skipped under --root: systemctl disable fake-hwclock.service" in done.stdout
    assert "REBOOT NEEDED" in done.stdout


def test_rtc_battery_only_on_a_pi_5_and_unknown_models_refused(fake_root: Path) -> None:
    refused = run([INSTALL, "--root", str(fake_root), "--yes", "--rtc", "pi5-battery"], env=PI_ENV)
    assert refused.returncode == 1 and "not a Raspberry Pi 5" in refused.stderr
    unknown = run([INSTALL, "--root", str(fake_root), "--yes", "--rtc", "sundial"], env=PI_ENV)
    assert unknown.returncode == 1 and "--rtc: 'sundial' is not one of" in unknown.stderr
    (fake_root / "proc/device-tree/model").write_bytes(b"Raspberry Pi 5 Model B Rev 1.0\0")
    done = run(
        [INSTALL, "--root", str(fake_root), "--yes", "--rtc", "pi5-battery", "--audio", "hdmi"], env=PI_ENV
    )
    assert done.returncode == 0, done.stderr
    assert "dtparam=rtc_bbat_vchg=3000000" in (fake_root / "boot/firmware/config.txt").read_text()


def test_watchdog_and_release_key_are_installed(fake_root: Path, tmp_path: Path) -> None:
    key = tmp_path / "release.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(tmp_path / "k")], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "k"), "-pubout", "-out", str(key)], check=True)
    done = run([INSTALL, "--root", str(fake_root), "--yes", "--release-key", str(key)], env=PI_ENV)
    assert done.returncode == 0, done.stderr
    assert (fake_root / "etc/kiosk/release-key.pub").read_bytes() == key.read_bytes()
    assert (fake_root / "etc/systemd/system.conf.d/50-encore-watchdog.conf").is_file()
    bad = run(
        [INSTALL, "--root", str(fake_root), "--yes", "--release-key", str(tmp_path / "k.missing")], env=PI_ENV
    )
    assert bad.returncode == 1 and "is not a public key" in bad.stderr


def test_fleet_updates_one_kiosk_at_a_time_and_stops_at_the_first_unhealthy_one() -> None:
    text = (DEPLOY / "ansible/site.yml").read_text()
    play = text.split("- name: Install Encore on every kiosk", 1)[1]
    assert re.search(r"^  serial: 1$", play, flags=re.M)
    assert re.search(r"^  max_fail_percentage: 0$", play, flags=re.M)
    assert "kiosk-release.sh" not in play or "activate" not in play  # the installer runs the health check
    assert "is-active" in play and "until:" in play  # and the play waits for READY before the next host
