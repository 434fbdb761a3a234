"""`kiosk doctor`: a clear table on this machine (no sound card, GPIO or screen), exit code from FAIL rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from kiosk.config import AudioConfig, Config, load_config
from kiosk.doctor import (
    FAIL,
    OK,
    WARN,
    alsa_cards,
    check_attention,
    check_audio_output,
    check_clock,
    check_config,
    check_data_dir,
    check_display,
    check_gpio,
    check_journal,
    check_libvlc,
    check_sound_card,
    run_checks,
)


def _doctor(tmp_path: Path, *args: str, config_text: str | None = None) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "kiosk.toml"
    if config_text is not None:
        config.write_text(config_text)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--data-dir",
            str(tmp_path / "data"),
            "--config",
            str(config),
            "doctor",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )


def _rows(stdout: str) -> dict[str, str]:
    """CHECK name -> status from the table."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0] in (OK, WARN, FAIL) and not line.startswith(" "):
            rows.setdefault(parts[1] if parts[1] != "needs" else "needs attention", parts[0])
    return rows


def test_doctor_on_this_machine_prints_a_table_and_no_traceback(tmp_path):
    out = _doctor(tmp_path)
    assert "Traceback" not in out.stderr
    rows = _rows(out.stdout)
    for name in (
        "python",
        "packages",
        "config",
        "libvlc",
        "sound",
        "display",
        "gpio",
        "data",
        "disk",
        "clock",
    ):
        assert name in rows, out.stdout
    assert rows["config"] == OK and rows["libvlc"] == OK  # real libvlc loads here
    failed = any(status == FAIL for status in rows.values())
    assert out.returncode == (1 if failed else 0), out.stdout
    if not Path("/proc/device-tree/model").exists():
        assert "mock: no GPIO, buttons disabled" in out.stdout
    if not alsa_cards():
        assert "no sound card: audio goes to dummy output" in out.stdout
    assert out.stdout.rstrip().splitlines()[-1].endswith(" OK")


def test_doctor_fails_on_a_bad_config_with_its_messages(tmp_path):
    out = _doctor(tmp_path, config_text="[audio]\nmax_volume_pct = 150\n[audoi]\n")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert _rows(out.stdout)["config"] == FAIL
    assert f"{tmp_path / 'kiosk.toml'}:2: audio.max_volume_pct: must be 0-100, got 150" in out.stdout
    assert "did you mean [audio]?" in out.stdout


def test_doctor_json(tmp_path):
    out = _doctor(tmp_path, "--json", config_text='[audio]\noutput = "dummy"\n')
    doc = json.loads(out.stdout)
    statuses = {c["name"]: c["status"] for c in doc["checks"]}
    assert statuses["libvlc"] == OK
    assert doc["ok"] is (out.returncode == 0)
    assert doc["ok"] is all(c["status"] != FAIL for c in doc["checks"])
    assert {"status", "name", "detail", "hint"} <= set(doc["checks"][0])


def test_run_checks_reuses_the_same_rows(data_dir):
    rows = run_checks(Config(audio=AudioConfig(output="dummy")), data_dir)
    names = [r.name for r in rows]
    assert names[:3] == ["python", "packages", "config"]
    assert all(r.status in (OK, WARN, FAIL) for r in rows)
    assert all(r.hint for r in rows if r.status != OK and r.name != "needs attention")


def test_sound_cards_are_listed_from_proc(tmp_path):
    cards = tmp_path / "cards"
    cards.write_text(
        " 0 [Headphones     ]: bcm2835_headphonbcm2835 - bcm2835 Headphones\n"
        "                      bcm2835 Headphones\n"
        " 1 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0\n"
        "                      vc4-hdmi-0\n"
    )
    assert alsa_cards(cards) == [
        "0: Headphones (bcm2835_headphonbcm2835 - bcm2835 Headphones)",
        "1: vc4hdmi0 (vc4-hdmi - vc4-hdmi-0)",
    ]
    row = check_sound_card(Config(audio=AudioConfig(device="plughw:CARD=Headphones")), cards)
    assert row.status == OK and "plughw:CARD=Headphones" in row.detail
    none = check_sound_card(Config(), tmp_path / "missing")
    assert (none.status, none.detail) == (WARN, "no sound card: audio goes to dummy output")


def test_libvlc_names_a_missing_alsa_device():
    row = check_libvlc(Config(audio=AudioConfig(output="alsa", device="plughw:CARD=Nowhere")))
    assert row.status == WARN and "'plughw:CARD=Nowhere' not found" in row.detail
    assert check_libvlc(Config(audio=AudioConfig(output="dummy"))).status == OK


def test_audio_output_plays_silence_through_the_configured_output():
    ok = check_audio_output(Config(audio=AudioConfig(output="dummy")))
    assert (ok.status, ok.detail) == (OK, "dummy: played 0.3 s of silence")
    bad = check_audio_output(Config(audio=AudioConfig(output="alsa", device="plughw:CARD=Nowhere")))
    assert bad.status == WARN and "alsa plughw:CARD=Nowhere: could not open" in bad.detail
    assert bad.hint


def test_display(tmp_path):
    assert check_display({"DISPLAY": ":0"}, tmp_path).status == OK
    assert check_display({}, tmp_path / "nodri").status == WARN
    (tmp_path / "dri").mkdir()
    (tmp_path / "dri" / "card1").touch()
    row = check_display({}, tmp_path / "dri")
    assert row.status == OK and "card1" in row.detail


def test_gpio_off_and_on_a_pi(tmp_path):
    assert check_gpio(Config(), tmp_path / "no-model").detail.startswith("mock: no GPIO, buttons disabled")
    model = tmp_path / "model"
    model.write_bytes(b"Raspberry Pi 5 Model B Rev 1.0\x00")
    row = check_gpio(Config(gpio={17: "play_pause"}), model)
    assert "Raspberry Pi 5" in row.detail
    try:
        import lgpio  # noqa: F401

        assert row.status == OK
    except ImportError:
        assert row.status == FAIL and "lgpio" in row.detail


def test_data_dir_and_disk(data_dir, tmp_path):
    rows = {r.name: r for r in check_data_dir(data_dir)}
    assert rows["data folder"].status == OK and "writable" in rows["data folder"].detail
    assert rows["disk space"].status in (OK, WARN, FAIL) and "free" in rows["disk space"].detail
    assert list(data_dir.iterdir()) == []  # the probe file is gone
    missing = {r.name: r for r in check_data_dir(tmp_path / "not" / "yet")}
    assert missing["data folder"].status == OK and "not created yet" in missing["data folder"].detail
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert check_data_dir(afile)[0].status == FAIL


def test_config_row(tmp_path):
    assert check_config(Config(), tmp_path / "none.toml").detail.startswith("no ")
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[audio]\nfade_ms = -1\n")
    row = check_config(load_config(bad, strict=False), bad)
    assert row.status == FAIL and f"{bad}:2: audio.fade_ms: must be 0-20000, got -1" in row.detail


def test_clock():
    late = datetime(2026, 5, 1, tzinfo=UTC)
    assert check_clock(datetime(2021, 1, 1, tzinfo=UTC), lambda: "yes").status == WARN
    assert check_clock(late, lambda: "yes").status == OK
    assert check_clock(late, lambda: "no").status == WARN
    assert check_clock(late, lambda: None).status == OK


def test_journal_counts_torn_lines(data_dir):
    assert check_journal(data_dir).status == OK
    events = data_dir / "events"
    events.mkdir()
    (events / "2026-05-01.jsonl").write_text('{"v":1,"type":"song_start"}\n{"v":1,"type":"like"}\n')
    row = check_journal(data_dir)
    assert row.status == OK and "2 recent events" in row.detail
    (events / "2026-05-02.jsonl").write_text('{"v":1,"type":"song_start"}\n{"v":1,"ty')
    row = check_journal(data_dir)
    assert row.status == WARN and "1 torn line(s)" in row.detail and "3 recent events" in row.detail


def test_journal_tail_of_a_big_file(data_dir):
    events = data_dir / "events"
    events.mkdir()
    line = json.dumps({"v": 1, "type": "song_start", "detail": "x" * 100}) + "\n"
    (events / "2026-05-03.jsonl").write_text(line * 2000)
    row = check_journal(data_dir)
    assert row.status == OK  # the cut first line of the tail is not counted as torn


def test_attention_notes_are_listed(data_dir):
    assert check_attention(data_dir) == []
    (data_dir / "attention.json").write_text(
        json.dumps([{"at": "2026-05-01T10:00:00Z", "kind": "damaged-store", "message": "residents restored"}])
    )
    rows = check_attention(data_dir)
    assert [(r.status, r.name) for r in rows] == [(WARN, "needs attention")]
    assert "damaged-store: residents restored" in rows[0].detail
    (data_dir / "attention.json").write_text("{not json")
    assert check_attention(data_dir)[0].status == WARN


def test_a_crashing_check_becomes_a_fail_row_and_the_others_still_run(data_dir, monkeypatch):
    import kiosk.doctor as doctor

    def boom(config, config_path=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(doctor, "check_config", boom)
    rows = doctor.run_checks(Config(audio=AudioConfig(output="dummy")), data_dir)
    crashed = [r for r in rows if r.name == "config"]
    assert crashed == [
        doctor.Check(FAIL, "config", "check crashed: RuntimeError: disk on fire", "report this as a bug")
    ]
    assert any(r.name == "clock" for r in rows)


def test_staff_pin_row():
    from kiosk.config import KioskConfig
    from kiosk.doctor import check_staff_pin
    from kiosk.pin import hash_pin

    assert check_staff_pin(Config()).status == WARN
    with_pin = Config(kiosk=KioskConfig(staff_pin_hash=hash_pin("1234")))
    assert check_staff_pin(with_pin).status == OK


def test_doctor_remembers_the_folder_scanned_with_music_dir(tmp_path: Path) -> None:
    """Issue 16 item 8: after `kiosk scan --music-dir DIR`, doctor checks DIR, not the missing default."""
    from tests.audiofiles import make_audio

    music = tmp_path / "my music"
    make_audio(music / "1950s" / "Waltz.mp3", freq=300, title="Tennessee Waltz")
    missing = tmp_path / "srv-kiosk-music"
    config_text = f'[library]\nmusic_dir = "{missing}"\n'
    before = _doctor(tmp_path, config_text=config_text)
    assert f"{missing} missing" in before.stdout
    scan = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "--config",
         str(tmp_path / "kiosk.toml"), "scan", "--music-dir", str(music)],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert scan.returncode == 0, scan.stderr
    after = _doctor(tmp_path)
    line = next(row for row in after.stdout.splitlines() if "music folder" in row)
    assert f"{music.resolve()} (last scanned; kiosk.toml names {missing}, which is missing)" in line
    assert f"{missing} missing" not in after.stdout
    assert f'music_dir = "{music.resolve()}"' in after.stdout  # the hint says what to set


def test_music_dir_check_prefers_the_scanned_folder(tmp_path: Path) -> None:
    from kiosk.config import LibraryConfig
    from kiosk.doctor import check_music_dir

    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalogue.json").write_text(
        json.dumps({"scan": {"1": {"music_dir": str(scanned)}}})
    )
    configured = tmp_path / "configured"
    config = Config(library=LibraryConfig(music_dir=configured))
    assert check_music_dir(config, tmp_path / "data").status == WARN
    configured.mkdir()
    check = check_music_dir(config, tmp_path / "data")
    assert check.status == OK and "last scanned" in check.detail
    assert check_music_dir(config, tmp_path / "nothing").detail == str(configured)
    (tmp_path / "data" / "catalogue.json").write_text("{damaged")
    assert check_music_dir(config, tmp_path / "data").detail == str(configured)


def test_clock_trust_says_why(tmp_path: Path) -> None:
    """The doctor applies the kiosk's own clock rule: on a Pi, trusted only with a time server, an RTC or
    staff having set it; the row says which (or what to do)."""
    from kiosk.adapters.clock import ClockTrust, SystemClock, record_staff_set
    from kiosk.doctor import check_clock_trust

    def pi(**facts: bool) -> SystemClock:
        probes = {"synchronised": False, "rtc": False, **facts}
        return SystemClock(
            ClockTrust(
                tmp_path,
                synchronised=lambda: probes["synchronised"],
                rtc=lambda: probes["rtc"],
                on_pi=lambda: True,
                boot=lambda: "boot-1",
                newest_record=lambda: None,
            )
        )

    row = check_clock_trust(tmp_path, pi())
    assert row.status == WARN and "not trusted" in row.detail and "Set the time" in row.hint
    assert check_clock_trust(tmp_path, pi(synchronised=True)).detail == "trusted: set by a time server (NTP)"
    assert "battery clock" in check_clock_trust(tmp_path, pi(rtc=True)).detail
    record_staff_set(tmp_path, datetime.now(UTC), current_boot="boot-1")
    row = check_clock_trust(tmp_path, pi())
    assert row.status == OK and "set by staff" in row.detail
