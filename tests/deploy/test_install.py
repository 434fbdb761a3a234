"""deploy/install.sh against a fake root folder: what it would do, what it does, what it refuses."""

from __future__ import annotations

import shutil
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, REPO, run, tree

INSTALL = str(DEPLOY / "install.sh")
# The venv's python: fast to start (a pyenv shim on PATH costs seconds per call on a busy machine).
PI_ENV = {"ENCORE_ARCH": "arm64", "ENCORE_PYTHON": sys.executable}


def _mode(path: Path) -> str:
    return f"{stat.S_IMODE(path.stat().st_mode):04o}"


def test_dry_run_shows_files_users_and_permissions_and_changes_nothing(fake_root: Path) -> None:
    before = tree(fake_root)
    done = run(
        [
            INSTALL,
            "--dry-run",
            "--root",
            str(fake_root),
            "--yes",
            "--audio",
            "jack",
            "--display",
            "official7",
            "--pin-stdin",
        ],
        env=PI_ENV,
        stdin="2468\n",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert tree(fake_root) == before
    for line in [
        "would run: useradd --system --user-group --home-dir /var/lib/kiosk --no-create-home --shell /usr/sbin/nologin"
        " --comment Encore\\ kiosk kiosk",
        "would run: usermod -aG audio kiosk",
        "would run: usermod -aG video kiosk",
        "would run: usermod -aG render kiosk",
        "would run: usermod -aG input kiosk",
        "would run: usermod -aG gpio kiosk",
        "would create dir /etc/kiosk mode 0750 owner root:kiosk",
        "would create dir /var/lib/kiosk mode 0700 owner kiosk:kiosk",
        "would create dir /srv/kiosk/music mode 0755 owner kiosk:kiosk",
        "would create dir /var/backups/kiosk mode 0700 owner root:root",
        "would create dir /media/kiosk-usb mode 0755 owner root:root",
        "would install file /etc/kiosk/kiosk.toml mode 0640 owner root:kiosk",
        'would set [audio] device = "encore" (card Headphones, see /etc/alsa/conf.d/60-encore.conf) in'
        " /etc/kiosk/kiosk.toml",
        "would install file /etc/alsa/conf.d/60-encore.conf mode 0644 owner root:root",
        "would set [display] dpi = 133 in /etc/kiosk/kiosk.toml",
        "would install file /etc/kiosk/backup.pass mode 0600 owner root:root",
        "would install file /etc/systemd/system/kiosk.service mode 0644 owner root:root",
        "would install file /etc/systemd/system/kiosk-backup.timer mode 0644 owner root:root",
        "would install file /etc/systemd/system/kiosk-usb-mount@.service mode 0644 owner root:root",
        "would install file /etc/udev/rules.d/99-encore-usb.rules mode 0644 owner root:root",
        "would install file /etc/polkit-1/rules.d/50-encore-kiosk.rules mode 0644 owner root:root",
        "would install file /etc/systemd/journald.conf.d/50-encore.conf mode 0644 owner root:root",
        "would add consoleblank=0 to /boot/firmware/cmdline.txt",
        "would run: systemctl enable kiosk.service kiosk-backup.timer kiosk-report.timer",
        "would run: systemctl disable getty@tty1.service",
    ]:
        assert line in out.splitlines(), f"missing: {line}\n--- output:\n{out}"
    release = next(ln for ln in out.splitlines() if ln.startswith("would make release ")).split()[3]
    assert release.startswith("0.1.0-")  # <version>-<commit>
    for line in [
        f"would run: {sys.executable} -m venv --system-site-packages /opt/encore/releases/.{release}.building",
        f"would run: /opt/encore/releases/.{release}.building/bin/pip install --quiet --disable-pip-version-check"
        f" --require-hashes --no-deps -r {REPO}/requirements/py3.11.lock",
        f"would rename /opt/encore/releases/.{release}.building to /opt/encore/releases/{release}",
        "would link /opt/encore/bin -> current/bin",
        "would link /opt/encore/libexec -> current/libexec",
        f"would install file /opt/encore/releases/{release}/libexec/kiosk-backup.sh mode 0755 owner root:root",
        f"would install file /opt/encore/releases/{release}/libexec/kiosk-release.sh mode 0755 owner root:root",
    ]:
        assert line in out.splitlines(), f"missing: {line}\n--- output:\n{out}"
    assert (
        f"would set [kiosk] staff_pin_hash = <output of /opt/encore/releases/{release}/bin/kiosk hash-pin>"
        in out
    )
    assert "2468" not in out  # the PIN is never printed
    assert (
        "libvlc5" in out
        and "vlc-plugin-base" in out
        and "libvlc-bin" in out
        and "python3-venv" in out
        and "liblgpio1" in out
    )


def test_install_into_fake_root_sets_permissions_and_is_idempotent(fake_root: Path) -> None:
    args = [
        INSTALL,
        "--root",
        str(fake_root),
        "--yes",
        "--audio",
        "card:sndrpihifiberry",
        "--display",
        "hdmi",
        "--dpi",
        "141",
        "--i2s-overlay",
        "hifiberry-dac",
    ]
    rules_d = fake_root / "etc/polkit-1/rules.d"  # as Debian's polkitd ships it: polkitd-owned, 0700
    rules_d.mkdir(parents=True)
    rules_d.chmod(0o700)
    first = run(args, env=PI_ENV)
    assert first.returncode == 0, first.stderr
    assert "skipped under --root: useradd" in first.stdout
    assert _mode(rules_d) == "0700"  # a package's folder is left as the package made it

    expect = {
        "etc/kiosk": "0750",
        "etc/kiosk/kiosk.toml": "0640",
        "etc/kiosk/backup.pass": "0600",
        "var/lib/kiosk": "0700",
        "var/lib/kiosk/kivy": "0700",
        "var/backups/kiosk": "0700",
        "srv/kiosk/music": "0755",
        "media/kiosk-usb": "0755",
        "etc/systemd/system/kiosk.service": "0644",
        "etc/systemd/system/kiosk-backup.service": "0644",
        "etc/polkit-1/rules.d/50-encore-kiosk.rules": "0644",
        "opt/encore/libexec/kiosk-backup.sh": "0755",
        "opt/encore/libexec/kiosk-usb-mount.sh": "0755",
    }
    for rel, mode in expect.items():
        assert _mode(fake_root / rel) == mode, rel
    assert (fake_root / "etc/systemd/system/kiosk.service").read_bytes() == (
        REPO / "systemd/kiosk.service"
    ).read_bytes()
    config = tomllib.loads((fake_root / "etc/kiosk/kiosk.toml").read_text())
    assert (config["audio"]["output"], config["audio"]["device"]) == ("alsa", "encore")
    assert 'pcm "hw:CARD=sndrpihifiberry,DEV=0"' in (fake_root / "etc/alsa/conf.d/60-encore.conf").read_text()
    # made from the commented example, so the other settings keep their documented defaults
    assert config["audio"]["max_volume_pct"] == 80
    assert config["display"]["dpi"] == 141
    assert len((fake_root / "etc/kiosk/backup.pass").read_text().strip()) >= 24
    cmdline = (fake_root / "boot/firmware/cmdline.txt").read_text()
    assert (
        cmdline.count("\n") == 1 and "consoleblank=0" in cmdline and "vt.global_cursor_default=0" in cmdline
    )
    assert "dtoverlay=hifiberry-dac" in (fake_root / "boot/firmware/config.txt").read_text()

    passphrase = (fake_root / "etc/kiosk/backup.pass").read_text()
    (fake_root / "etc/kiosk/kiosk.toml").write_text(
        (fake_root / "etc/kiosk/kiosk.toml").read_text() + "# a local note the volunteer added\n"
    )
    before = tree(fake_root)
    second = run(args, env=PI_ENV)
    assert second.returncode == 0, second.stderr
    assert "Done: 0 file change(s)" in second.stdout, second.stdout
    assert "config /etc/kiosk/kiosk.toml: kept (exists)" in second.stdout
    assert tree(fake_root) == before  # the volunteer's note, the passphrase, cmdline.txt: all untouched
    assert (fake_root / "etc/kiosk/backup.pass").read_text() == passphrase

    # A changed permission is put right on the next run.
    (fake_root / "etc/kiosk/backup.pass").chmod(0o644)
    third = run(args, env=PI_ENV)
    assert "chmod 0600 /etc/kiosk/backup.pass" in third.stdout
    assert _mode(fake_root / "etc/kiosk/backup.pass") == "0600"


def test_config_comes_from_the_commented_example_when_present(tmp_path: Path, fake_root: Path) -> None:
    checkout = tmp_path / "checkout"
    for part in ("deploy", "systemd", "requirements"):
        shutil.copytree(REPO / part, checkout / part)
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    (checkout / "content").mkdir()
    example = '# Encore settings (example)\n[display]\n# dpi = 133.0\n\n[audio]\n# device = ""\n'
    (checkout / "content/kiosk.example.toml").write_text(example)
    done = run(
        [str(checkout / "deploy/install.sh"), "--root", str(fake_root), "--yes", "--display", "official7"],
        env=PI_ENV,
    )
    assert done.returncode == 0, done.stderr
    text = (fake_root / "etc/kiosk/kiosk.toml").read_text()
    assert text.startswith("# Encore settings (example)\n[display]\n# dpi = 133.0\ndpi = 133\n")
    assert '# device = ""' in text  # comments are kept
    assert tomllib.loads(text)["display"]["width"] == 800


@pytest.mark.parametrize(
    ("env", "setup", "args", "message"),
    [
        ({**PI_ENV, "ENCORE_ARCH": "armhf"}, None, [], "32-bit"),
        (PI_ENV, "no-systemd", [], "does not run systemd"),
        (PI_ENV, "old-python", [], "Python 3.9 is too old"),
        (PI_ENV, "pi5", ["--audio", "jack"], "Raspberry Pi 5 has no headphone jack"),
        (PI_ENV, None, ["--audio", "speakers"], "--audio: 'speakers' is not one of"),
        (PI_ENV, None, ["--display", "big"], "--display: 'big' is not one of"),
        (PI_ENV, None, ["--pin-stdin"], "digits only"),
    ],
)
def test_refuses_clearly(
    tmp_path: Path, fake_root: Path, env: dict[str, str], setup: str | None, args: list[str], message: str
) -> None:
    env = dict(env)
    if setup == "no-systemd":
        shutil.rmtree(fake_root / "run/systemd")
    elif setup == "old-python":
        fake = tmp_path / "python3"
        fake.write_text("#!/bin/sh\necho 3.9\n")
        fake.chmod(0o755)
        env["ENCORE_PYTHON"] = str(fake)
    elif setup == "pi5":
        (fake_root / "proc/device-tree/model").write_bytes(b"Raspberry Pi 5 Model B Rev 1.0\0")
    before = tree(fake_root)
    done = run([INSTALL, "--dry-run", "--root", str(fake_root), "--yes", *args], env=env, stdin="12ab\n")
    assert done.returncode == 1, done.stdout
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(fake_root) == before


def test_unknown_option_is_a_usage_error(fake_root: Path) -> None:
    done = run([INSTALL, "--frobnicate"])
    assert done.returncode == 2 and "unknown option: --frobnicate" in done.stderr


def _stand_in_kiosk(fake_root: Path, script: str) -> Path:
    """The release's `kiosk` (installed in the fake root by a first run, which makes the release folder)."""
    assert run([INSTALL, "--root", str(fake_root), "--yes"], env=PI_ENV).returncode == 0
    (release,) = (fake_root / "opt/encore/releases").iterdir()
    hasher = release / "bin/kiosk"
    hasher.parent.mkdir(parents=True, exist_ok=True)
    hasher.write_text(script)
    hasher.chmod(0o755)
    return hasher


def test_staff_pin_is_hashed_by_kiosk_hash_pin(tmp_path: Path, fake_root: Path) -> None:
    # A stand-in for the package's `kiosk hash-pin`: it records what it was given.
    seen = tmp_path / "seen"
    hasher = _stand_in_kiosk(
        fake_root,
        f'#!/bin/sh\n[ "$1" = hash-pin ] || exit 9\n[ "$2" = --check ] && exit 3\ncat > {seen}\n'
        "echo 'scrypt$0011$aabb'\n",
    )
    done = run([INSTALL, "--root", str(fake_root), "--yes", "--pin-stdin"], env=PI_ENV, stdin="13579\n")
    assert done.returncode == 0, done.stderr
    assert seen.read_text() == "13579\n"
    config = (fake_root / "etc/kiosk/kiosk.toml").read_text()
    assert tomllib.loads(config)["kiosk"]["staff_pin_hash"] == "scrypt$0011$aabb"
    assert "13579" not in config and "13579" not in done.stdout

    hasher.write_text('#!/bin/sh\n[ "$2" = --check ] && exit 3\necho oops\n')
    bad = run([INSTALL, "--root", str(fake_root), "--yes", "--pin-stdin"], env=PI_ENV, stdin="2468\n")
    assert bad.returncode == 1 and "the PIN was not set" in bad.stderr
    assert (
        tomllib.loads((fake_root / "etc/kiosk/kiosk.toml").read_text())["kiosk"]["staff_pin_hash"]
        == "scrypt$0011$aabb"
    )


def test_the_same_pin_again_is_no_change(fake_root: Path) -> None:
    """A re-run with the same PIN must not re-hash it (a new salt): that would report a change and restart."""
    _stand_in_kiosk(
        fake_root,
        '#!/bin/sh\nif [ "$2" = --check ]; then read -r p; [ "$p" = 13579 ] && [ "$3" = "scrypt\\$1\\$stored" ]; exit $?; fi\n'
        "cat > /dev/null; echo 'scrypt$1$stored'\n",
    )
    args = [INSTALL, "--root", str(fake_root), "--yes", "--pin-stdin"]
    assert run(args, env=PI_ENV, stdin="13579\n").returncode == 0
    before = tree(fake_root)
    again = run(args, env=PI_ENV, stdin="13579\n")
    assert again.returncode == 0, again.stderr
    assert "staff PIN: unchanged" in again.stdout and "Done: 0 file change(s)" in again.stdout
    assert "restart the kiosk" not in again.stdout
    assert tree(fake_root) == before
    other = run(args, env=PI_ENV, stdin="24680\n")
    assert "set [kiosk] staff_pin_hash" in other.stdout
    assert "skipped under --root: restart the kiosk when no music plays" in other.stdout


def test_interactive_questions_on_a_terminal(fake_root: Path) -> None:
    """Run under a pseudo-terminal (util-linux `script`), answering the questions as a volunteer would."""
    if shutil.which("script") is None:
        pytest.skip("util-linux `script` is needed to give the installer a terminal")
    answers = (
        "card:Device\nhdmi\n17.3\n1920x1080\n1234\n1234\na long backup passphrase\na long backup passphrase\n"
    )
    done = run(
        ["script", "-qec", f"{INSTALL} --root {fake_root}", "/dev/null"],
        env={**PI_ENV, "TERM": "dumb"},
        stdin=answers,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Where should the sound go?" in done.stdout and "Which screen?" in done.stdout
    config = tomllib.loads((fake_root / "etc/kiosk/kiosk.toml").read_text())
    assert config["audio"]["device"] == "encore"
    assert "hw:CARD=Device," in (fake_root / "etc/alsa/conf.d/60-encore.conf").read_text()
    assert config["display"]["dpi"] == 127  # 2203 px diagonal / 17.3 in
    assert (fake_root / "etc/kiosk/backup.pass").read_text() == "a long backup passphrase\n"
