"""The speech adapters for real: espeak-ng end to end, the real Piper over a tiny ONNX voice, the rendering
service (worker, cache, size cap, failures), installed voices (checks, licence, atomic copy)."""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.adapters.speech import SpeechService, level_wav
from kiosk.adapters.speech_engines import EspeakEngine, PiperEngine, engine_for, piper_installed
from kiosk.adapters.voices import check_voice_config, install_voice, installed_voices
from kiosk.errors import UserError

INTRO = "Here is Vera Lynn, from nineteen forty-two."


def samples_of(path: str | Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    return data, rate


def speech_like(data: np.ndarray, rate: int) -> tuple[float, float]:
    """(share of 20 ms frames that are voiced, RMS in dBFS of those): speech has gaps and loud parts."""
    block = rate // 50
    frames = data[: data.size // block * block].reshape(-1, block)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    loud = rms > 10 ** (-45 / 20)
    level = 20 * np.log10(np.sqrt(np.mean(frames[loud] ** 2)))
    return float(loud.mean()), float(level)


def test_espeak_renders_nonsilent_speech_of_the_expected_length(tmp_path: Path) -> None:
    speech = SpeechService(EspeakEngine(), tmp_path)
    try:
        speech.prepare(INTRO)
        speech.prepare("Hello.")
        assert speech.wait_idle(30)
        intro, short = speech.ready(INTRO), speech.ready("Hello.")
    finally:
        speech.close()
    assert intro is not None and short is not None
    data, rate = samples_of(intro.path)
    assert abs(intro.duration_s - data.size / rate) < 0.01
    # seven words at 140 words a minute: about 3 s, and never over the 8 s an introduction may take
    assert 2.0 < intro.duration_s < 8.0
    assert short.duration_s < intro.duration_s / 2
    voiced, level = speech_like(data, rate)
    assert 0.4 < voiced < 0.98  # sound with the gaps between words
    assert -21.5 < level < -18.5  # levelled to -20 dBFS
    assert np.max(np.abs(data)) <= 10 ** (-1 / 20) + 1e-3
    assert Path(intro.path).stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(not piper_installed(), reason="piper-tts (the optional extra) is not installed")
def test_the_real_piper_loads_and_runs_a_tiny_voice(tmp_path: Path) -> None:
    from kiosk.devtools.tiny_voice import HOP, SAMPLE_RATE, build_tiny_voice

    model = build_tiny_voice(tmp_path / "stick")
    engine = PiperEngine(model, model.with_name(model.name + ".json"), length_scale=1.0)
    out_short, out_long = tmp_path / "short.wav", tmp_path / "long.wav"
    engine.render("Hello.", out_short)
    engine.render(INTRO, out_long)
    short, rate = samples_of(out_short)
    long, _ = samples_of(out_long)
    assert rate == SAMPLE_RATE
    assert short.size % HOP == 0 and long.size % HOP == 0  # the voice's own output, id by id
    assert long.size > 3 * short.size  # the length follows the text (Piper's phonemes -> ids -> audio)
    slower = PiperEngine(model, model.with_name(model.name + ".json"), length_scale=1.5)
    slower.render(INTRO, tmp_path / "slow.wav")
    slow, _ = samples_of(tmp_path / "slow.wav")
    assert abs(slow.size / long.size - 1.5) < 0.05  # the pace setting reaches the model
    assert np.max(np.abs(long)) > 0.5  # Piper normalises: not silence


def test_cache_by_text_and_voice_with_a_size_cap(tmp_path: Path) -> None:
    first = SpeechService(EspeakEngine(), tmp_path, cache_mb=1)
    try:
        first.prepare(INTRO)
        first.wait_idle(30)
        clip = first.ready(INTRO)
    finally:
        first.close()
    assert clip is not None and first.rendered == 1
    again = SpeechService(EspeakEngine(), tmp_path, cache_mb=1)
    try:
        again.prepare(INTRO)
        again.wait_idle(30)
        assert again.ready(INTRO) == clip and again.rendered == 0 and again.cache_hits == 1
        other_voice = SpeechService(EspeakEngine(words_per_minute=120), tmp_path, cache_mb=1)
        other_voice.prepare(INTRO)
        other_voice.wait_idle(30)
        assert other_voice.rendered == 1 and other_voice.ready(INTRO) != clip
        other_voice.close()
        # fill past the cap: the least recently used clips go, the total stays under 1 MB
        for i in range(14):
            again.prepare(f"This is line number {i} of a rather long list of lines to say aloud today.")
        again.wait_idle(60)
    finally:
        again.close()
    total = sum(p.stat().st_size for p in (tmp_path / "speech-cache").glob("*.wav"))
    assert total <= 1024 * 1024
    assert not list((tmp_path / "speech-cache").glob(".*"))  # no temp files left


class Broken:
    voice_id = "broken"

    def render(self, text: str, out: Path) -> None:
        if "silent" in text:
            with wave.open(str(out), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(22050)
                wav.writeframes(b"\0\0" * 22050)
            return
        raise RuntimeError("the engine fell over")


def test_a_failed_render_is_simply_not_said(tmp_path: Path) -> None:
    speech = SpeechService(Broken(), tmp_path)
    try:
        speech.prepare("anything")
        speech.prepare("a silent line")
        assert speech.wait_idle(10)
        assert speech.ready("anything") is None and speech.ready("a silent line") is None
    finally:
        speech.close()
    assert not list((tmp_path / "speech-cache").glob("*"))


def test_no_engine_means_no_speech_and_says_why(tmp_path: Path) -> None:
    engine, why = engine_for(tmp_path, environ={})
    assert engine is None and "no natural voice is installed" in why
    speech = SpeechService(engine, tmp_path, reason=why)
    speech.prepare(INTRO)
    assert speech.unavailable() == why and speech.ready(INTRO) is None and speech._thread is None
    engine, why = engine_for(tmp_path, "en_GB-alba-medium", environ={})
    assert engine is None and "'en_GB-alba-medium'" in why
    engine, why = engine_for(tmp_path, environ={"KIOSK_TEST_VOICE": "espeak-ng"})
    assert isinstance(engine, EspeakEngine) and not why


def test_level_wav_refuses_silence(tmp_path: Path) -> None:
    Broken().render("silent", tmp_path / "s.wav")
    with pytest.raises(ValueError, match="silence"):
        level_wav(tmp_path / "s.wav", tmp_path / "out.wav")


def test_install_checks_the_json_and_records_the_licence(tmp_path: Path) -> None:
    from kiosk.devtools.tiny_voice import build_tiny_voice

    stick, data = tmp_path / "stick", tmp_path / "data"
    model = build_tiny_voice(stick, licence="CC BY 4.0")
    voice = install_voice(model, data)
    assert voice.licence == "CC BY 4.0" and voice.language == "en_GB" and voice.sample_rate == 22050
    assert [v.name for v in installed_voices(data)] == ["en_GB-tiny-test"]
    assert (data / "voices" / "en_GB-tiny-test.onnx").read_bytes() == model.read_bytes()
    assert os.stat(data / "voices" / "en_GB-tiny-test.onnx").st_mode & 0o777 == 0o600
    engine, why = engine_for(data, environ={})
    assert (engine is not None) is piper_installed()

    config = model.with_name(model.name + ".json")
    doc = json.loads(config.read_text())
    del doc["phoneme_id_map"]
    doc["audio"]["sample_rate"] = "fast"
    config.write_text(json.dumps(doc))
    with pytest.raises(UserError) as bad:
        install_voice(model, data)
    assert any("phoneme_id_map" in p for p in bad.value.problems)
    assert any("audio.sample_rate" in p for p in bad.value.problems)
    config.write_text('{\n  "audio": {\n  oops\n}')
    _, problems = check_voice_config(config)
    assert problems and problems[0].startswith(f"{config}:3: not valid JSON")
    (stick / "MODEL_CARD").unlink()
    with pytest.raises(UserError, match="no licence found"):
        install_voice(model, data)
    assert [v.name for v in installed_voices(data)] == ["en_GB-tiny-test"]  # the installed one is untouched
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UserError, match=r"\.onnx"):
        install_voice(tmp_path / "notes.txt", data)
    fake = stick / "fake.onnx"
    fake.write_bytes(b"<html>not a model</html>")
    (stick / "fake.onnx.json").write_text(config.read_text())
    with pytest.raises(UserError, match="not an ONNX model"):
        install_voice(fake, data, licence="CC0")
