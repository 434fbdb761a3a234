"""`kiosk voice install | list | say` as a person runs them (real subprocesses, real files), and the staff
check that says why the kiosk does not speak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from kiosk.adapters.speech_engines import piper_installed
from kiosk.config import Config, VoiceConfig
from kiosk.devtools.tiny_voice import build_tiny_voice
from kiosk.doctor.voice import check_voice
from kiosk.wiring import attention_lines


def kiosk(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "KIOSK_TEST_VOICE"}
    environ.update(env or {})
    environ["KIOSK_CONFIG"] = str(data / "no-such-kiosk.toml")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "voice", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environ,
    )


def test_install_list_and_bad_voices(tmp_path: Path) -> None:
    data, stick = tmp_path / "data", tmp_path / "stick"
    model = build_tiny_voice(stick, licence="CC BY 4.0")
    done = kiosk(data, "install", str(model))
    assert done.returncode == 0, done.stderr
    assert "installed voice en_GB-tiny-test" in done.stdout and "licence: CC BY 4.0" in done.stdout
    listed = kiosk(data, "list", "--json")
    doc = json.loads(listed.stdout)
    assert [v["name"] for v in doc["voices"]] == ["en_GB-tiny-test"]
    assert doc["voices"][0]["licence"] == "CC BY 4.0"
    assert doc["speaks"] is False and doc["why_not"] == "[voice] enabled is false"
    assert {s["name"] for s in doc["scripts"]} >= {"walk-by-the-sea", "summer-garden", "train-to-the-coast"}
    assert doc["script_problems"] == []
    # a damaged settings file: FILE:LINE, exit 1, no traceback, the installed voice untouched
    bad = stick / "en_GB-bad.onnx"
    bad.write_bytes(model.read_bytes())
    (stick / "en_GB-bad.onnx.json").write_text('{\n "audio": {"sample_rate": 22050},\n oops\n}\n')
    failed = kiosk(data, "install", str(bad))
    assert failed.returncode == 1
    assert f"{stick / 'en_GB-bad.onnx.json'}:3: not valid JSON" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert [v["name"] for v in json.loads(kiosk(data, "list", "--json").stdout)["voices"]] == [
        "en_GB-tiny-test"
    ]
    missing = kiosk(data, "install", str(stick / "nothing.onnx"))
    assert missing.returncode == 1 and "missing" in missing.stderr


def test_say_with_the_test_voice_writes_speech(tmp_path: Path) -> None:
    out = tmp_path / "intro.wav"
    done = kiosk(
        tmp_path / "data",
        "say",
        "Here is Vera Lynn, from nineteen forty-two.",
        "--out",
        str(out),
        env={"KIOSK_TEST_VOICE": "espeak-ng"},
    )
    assert done.returncode == 0, done.stderr
    with wave.open(str(out), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert 2.0 < seconds < 8.0 and max(frames) > 0
    assert f"{seconds:.1f} s of speech" in done.stdout


def test_say_without_a_natural_voice_is_a_clear_no(tmp_path: Path) -> None:
    done = kiosk(tmp_path / "data", "say", "Hello", "--out", str(tmp_path / "x.wav"))
    assert done.returncode == 1
    assert "cannot speak: no natural voice is installed" in done.stderr
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.skipif(not piper_installed(), reason="piper-tts (the optional extra) is not installed")
def test_say_with_an_installed_piper_voice(tmp_path: Path) -> None:
    data = tmp_path / "data"
    model = build_tiny_voice(tmp_path / "stick")
    assert kiosk(data, "install", str(model)).returncode == 0
    out = tmp_path / "hello.wav"
    done = kiosk(data, "say", "Good afternoon.", "--out", str(out))
    assert done.returncode == 0, done.stderr
    with wave.open(str(out), "rb") as wav:
        assert wav.getframerate() == 22050 and wav.getnframes() > 0
    assert "piper:en_GB-tiny-test" in done.stdout


def test_staff_see_why_the_kiosk_does_not_speak(tmp_path: Path) -> None:
    on = Config(voice=VoiceConfig(enabled=True))
    rows = check_voice(on, tmp_path)
    assert rows[0].status == "WARN" and "no natural voice is installed" in rows[0].detail
    assert any(
        "voice: switched on, but the kiosk does not speak" in line for line in attention_lines(on, tmp_path)
    )
    assert check_voice(Config(), tmp_path)[0].status == "OK"  # off: nothing to say
