"""Shell scripts are shellcheck clean; the systemd units verify; the kiosk unit keeps its promises."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, REPO, SYSTEMD, run

SHELL_SCRIPTS = (
    sorted(DEPLOY.glob("*.sh")) + sorted(DEPLOY.glob("lib/*.sh")) + sorted((REPO / "scripts").glob("*.sh"))
)
# Where each unit's ExecStart points on a Pi, and the executable standing in for it here.
STAND_INS = {
    "/opt/encore/bin/kiosk": str(Path(sys.executable).parent / "kiosk"),
    "/opt/encore/libexec/kiosk-backup.sh": str(DEPLOY / "kiosk-backup.sh"),
    "/opt/encore/libexec/kiosk-usb-mount.sh": str(DEPLOY / "kiosk-usb-mount.sh"),
    "/sbin/hwclock": shutil.which("hwclock") or "/sbin/hwclock",
}


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shellcheck_clean(script: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (it is in scripts/apt-packages.txt: make setup installs it)")
    done = run(["shellcheck", "--external-sources", "--severity=style", str(script)], cwd=script.parent)
    assert done.returncode == 0, done.stdout + done.stderr


def _units_copied_for_here(dest: Path) -> list[Path]:
    assert Path(STAND_INS["/opt/encore/bin/kiosk"]).exists(), (
        "the package's kiosk entry point is not installed"
    )
    copies = []
    for unit in sorted(SYSTEMD.iterdir()):
        text = unit.read_text()
        for pi_path, here in STAND_INS.items():
            text = text.replace(pi_path, here)
        (dest / unit.name).write_text(text)
        copies.append(dest / unit.name)
    return copies


def _verify(paths: list[str], cwd: Path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")
    return run(["systemd-analyze", "verify", "--man=no", *paths], cwd=cwd, env={"SYSTEMD_LOG_COLOR": "0"})


def test_systemd_analyze_verify_units(tmp_path: Path) -> None:
    copies = _units_copied_for_here(tmp_path)
    names = [f"./{c.name}" for c in copies if "@" not in c.name] + ["./kiosk-usb-mount@sda1.service"]
    done = _verify(names, tmp_path)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_systemd_analyze_catches_a_broken_unit_here(tmp_path: Path) -> None:
    """The check above means something on this machine: a typo and a missing program are reported."""
    copies = _units_copied_for_here(tmp_path)
    kiosk = next(c for c in copies if c.name == "kiosk.service")
    kiosk.write_text(
        kiosk.read_text()
        .replace("WatchdogSec=", "WatchDogSec=")
        .replace(STAND_INS["/opt/encore/bin/kiosk"], "/nonexistent/kiosk")
    )
    done = _verify(["./kiosk.service"], tmp_path)
    assert "Unknown key 'WatchDogSec'" in done.stderr
    assert "/nonexistent/kiosk" in done.stderr and done.returncode != 0


def _unit(name: str) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def test_kiosk_unit_promises() -> None:
    unit = _unit("kiosk.service")
    service = unit["Service"]
    assert unit["Unit"]["StartLimitIntervalSec"] == ["0"]  # never gives up
    assert service["Type"] == ["notify"] and service["Restart"] == ["always"]
    assert 10 <= int(service["WatchdogSec"][0]) <= 120
    assert int(service["RestartSec"][0]) <= 5
    assert service["User"] == ["kiosk"]
    assert service["ExecStart"] == ["/opt/encore/bin/kiosk run --fullscreen"]
    env = dict(v.split("=", 1) for v in service["Environment"])
    assert env["GPIOZERO_PIN_FACTORY"] == "lgpio" and env["KIVY_NO_FILELOG"] == "1"
    assert env["KIVY_HOME"].startswith("/var/lib/kiosk/")
    assert service["ProtectSystem"] == ["strict"] and service["ReadWritePaths"] == ["/var/lib/kiosk"]
    assert service["NoNewPrivileges"] == ["yes"] and service["PrivateTmp"] == ["yes"]
    # Hardening that would cut the kiosk off its sound card, GPIO chip, screen or touch input must stay out.
    for breaks_devices in ("PrivateDevices", "DevicePolicy", "ProtectClock", "MemoryDenyWriteExecute"):
        assert breaks_devices not in service
    groups = set(service["SupplementaryGroups"][0].split())
    assert {"audio", "video", "render", "input", "gpio"} <= groups


def test_backup_timer_is_nightly_and_catches_up() -> None:
    timer = _unit("kiosk-backup.timer")["Timer"]
    assert timer["OnCalendar"] == ["*-*-* 03:15"] and timer["Persistent"] == ["true"]
    assert "kiosk-backup.sh backup" in _unit("kiosk-backup.service")["Service"]["ExecStart"][0]


def test_udev_rule_starts_the_mount_service_for_usb_filesystems() -> None:
    rule = [
        ln
        for ln in (DEPLOY / "udev/99-encore-usb.rules").read_text().splitlines()
        if ln and not ln.startswith("#")
    ]
    assert len(rule) == 1
    assert 'ENV{ID_BUS}=="usb"' in rule[0] and 'ENV{ID_FS_USAGE}=="filesystem"' in rule[0]
    assert 'ENV{SYSTEMD_WANTS}+="kiosk-usb-mount@%k.service"' in rule[0]
    assert (SYSTEMD / "kiosk-usb-mount@.service").exists()


POLKIT_HARNESS = """
const fs = require("fs");
const rules = [];
const polkit = {Result: {YES: "yes", NO: "no", NOT_HANDLED: null}, addRule: (f) => rules.push(f)};
new Function("polkit", fs.readFileSync(process.argv[1], "utf8"))(polkit);
const out = {};
for (const [user, action] of JSON.parse(process.argv[2])) {
  out[user + " " + action] = rules.map((f) => f({id: action}, {user: user})).find((r) => r != null) ?? "not handled";
}
console.log(JSON.stringify(out));
"""


def test_polkit_rule_lets_the_kiosk_user_only_power_off_reboot_and_set_the_time() -> None:
    rule = DEPLOY / "polkit/50-encore-kiosk.rules"
    text = rule.read_text()
    assert 'subject.user === "kiosk"' in text
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("no JavaScript engine (node) here to run the polkit rule")
    cases = [
        ["kiosk", "org.freedesktop.login1.power-off"],
        ["kiosk", "org.freedesktop.login1.reboot"],
        ["kiosk", "org.freedesktop.login1.reboot-multiple-sessions"],
        ["kiosk", "org.freedesktop.timedate1.set-time"],
        ["kiosk", "org.freedesktop.timedate1.set-timezone"],
        ["kiosk", "org.freedesktop.systemd1.manage-units"],
        ["pi", "org.freedesktop.login1.power-off"],
        ["pi", "org.freedesktop.timedate1.set-time"],
    ]
    done = run([node, "-e", POLKIT_HARNESS, str(rule), json.dumps(cases)])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "kiosk org.freedesktop.login1.power-off": "yes",
        "kiosk org.freedesktop.login1.reboot": "yes",
        "kiosk org.freedesktop.login1.reboot-multiple-sessions": "yes",
        "kiosk org.freedesktop.timedate1.set-time": "yes",  # the staff screen sets the clock without network
        "kiosk org.freedesktop.timedate1.set-timezone": "not handled",
        "kiosk org.freedesktop.systemd1.manage-units": "not handled",
        "pi org.freedesktop.login1.power-off": "not handled",
        "pi org.freedesktop.timedate1.set-time": "not handled",
    }


def _conf(path: Path) -> dict[str, str]:
    return dict(
        ln.split("=", 1) for ln in path.read_text().splitlines() if "=" in ln and not ln.startswith("#")
    )


def test_journal_is_persistent_small_and_written_seldom() -> None:
    """Logs survive a reboot (what happened before a crash), within a few MB of SD card, synced every 5 min."""
    conf = _conf(DEPLOY / "journald/50-encore.conf")
    assert conf["Storage"] == "persistent"
    mb = {k: int(conf[k].removesuffix("M")) for k in ("SystemMaxUse", "SystemMaxFileSize", "RuntimeMaxUse")}
    assert mb["SystemMaxUse"] <= 32 and mb["SystemMaxFileSize"] <= mb["SystemMaxUse"] // 2
    assert conf["SyncIntervalSec"] == "5min" and conf["ForwardToSyslog"] == "no"


def test_hardware_watchdog_within_what_the_pi_allows() -> None:
    conf = _conf(DEPLOY / "system/50-encore-watchdog.conf")
    assert 0 < int(conf["RuntimeWatchdogSec"].removesuffix("s")) <= 15  # the Broadcom watchdog's limit
    assert conf["RebootWatchdogSec"]


# Options that give a service a mount namespace of its own (systemd.exec(5)); a mount made inside one stays
# there, even with MountFlags=shared, because systemd makes the namespace's root a slave.
MOUNT_NAMESPACE_OPTIONS = {
    "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateMounts", "ReadWritePaths",
    "ReadOnlyPaths", "InaccessiblePaths", "ExecPaths", "NoExecPaths", "TemporaryFileSystem", "BindPaths",
    "BindReadOnlyPaths", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
    "ProtectControlGroups", "ProtectProc", "ProcSubset", "ProtectHostname", "PrivateNetwork", "PrivateUsers",
    "RootDirectory", "RootImage", "MountAPIVFS", "LogNamespace", "MountImages", "ExtensionImages",
    "RuntimeDirectory", "StateDirectory", "CacheDirectory", "LogsDirectory", "ConfigurationDirectory",
    "MountFlags",
}  # fmt: skip


def test_usb_mount_unit_is_sandboxed_without_a_mount_namespace(tmp_path: Path) -> None:
    """9.6 UNSAFE before; below 5 now, and nothing in it would hide the stick's mount from the kiosk."""
    service = _unit("kiosk-usb-mount@.service")["Service"]
    assert not MOUNT_NAMESPACE_OPTIONS & set(service), MOUNT_NAMESPACE_OPTIONS & set(service)
    assert service["CapabilityBoundingSet"] == ["CAP_SYS_ADMIN"] and service["DevicePolicy"] == ["closed"]
    _units_copied_for_here(tmp_path)
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")
    done = run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=49", "--no-pager",
         "./kiosk-usb-mount@sda1.service"],
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    score = float(done.stdout.split("Overall exposure level for kiosk-usb-mount@sda1.service:")[1].split()[0])
    assert score < 5.0, score


def test_kiosk_unit_exposure_stays_low(tmp_path: Path) -> None:
    """systemd's own hardening score (0 = locked down, 10 = wide open): 3.9 when written; keep it under 4.5."""
    _units_copied_for_here(tmp_path)
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package: systemd)")
    done = run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=45", "--no-pager", "./kiosk.service"],
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "Overall exposure level for kiosk.service" in done.stdout


@pytest.mark.parametrize(
    "script", ["install.sh", "kiosk-backup.sh", "kiosk-usb-mount.sh", "kiosk-release.sh"]
)
def test_help_is_the_header_comment(script: str) -> None:
    done = run([str(DEPLOY / script), "--help"])
    assert done.returncode == 0 and done.stdout.strip()
    assert "set -e" not in done.stdout and "#!/" not in done.stdout
