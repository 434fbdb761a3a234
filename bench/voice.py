"""The gentle voice: what an introduction rendered ahead adds between songs, and rendering speed (RTF).

1. Between songs: the real kiosk parts (build_kiosk, libvlc dummy output, the speech service with the test
   voice, KIOSK_TEST_VOICE=espeak-ng), short songs, an introduction before every one. Measured: from the pump
   that receives a song's end to the next sound being started (the voice, or the next song without intros),
   beside the same run with the voice off. Target: 0 ms added (the introduction was rendered while the song
   before played, so the engine only looks it up).
2. Rendering: seconds to render each introduction beside its audio length (real-time factor = render / audio;
   below 1 is faster than real time), for espeak-ng and for the real Piper over the tiny test voice (which
   only measures Piper's own overhead: phonemes, ONNX Runtime, WAV), on all cores and on one core
   (``taskset -c 0``). A real voice: ``--data-dir DIR --voice NAME`` (one installed with kiosk voice install).

Run: .venv/bin/python bench/voice.py [--quick] [--data-dir DIR --voice NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._engine_common import pct, tones  # noqa: E402
from kiosk.adapters.mainloop import HeadlessLoop  # noqa: E402
from kiosk.adapters.speech import SpeechService  # noqa: E402
from kiosk.adapters.speech_engines import EspeakEngine, PiperEngine, SpeechEngine, piper_installed  # noqa: E402
from kiosk.adapters.voices import choose_voice  # noqa: E402
from kiosk.config import Config, VoiceConfig  # noqa: E402
from kiosk.domain.intents import Intent, Source  # noqa: E402
from kiosk.domain.models import Song  # noqa: E402
from kiosk.domain.playback import PlayerEventKind  # noqa: E402
from kiosk.domain.session_record import EngineSettings  # noqa: E402
from kiosk.domain.session_sources import ShuffleSource  # noqa: E402
from kiosk.domain.voice import intro_text  # noqa: E402
from kiosk.wiring import build_kiosk  # noqa: E402

ARTISTS = ["Vera Lynn", "Glenn Miller", "Nat King Cole", "Doris Day", "Frank Sinatra", "Perry Como"]


def between_songs(voice_on: bool, transitions: int) -> tuple[list[float], int]:
    """ms from the pump that gets a song's end to the next start (voice or song); intros said."""
    os.environ["KIOSK_TEST_VOICE"] = "espeak-ng"
    with tempfile.TemporaryDirectory() as tmp:
        base = tones(Path(tmp) / "music", transitions + 2, 1.2)
        songs = [
            replace(s, artist=ARTISTS[i % len(ARTISTS)], year=1940 + i, era_source="tag:TDOR")
            for i, s in enumerate(base)
        ]
        voice = VoiceConfig(enabled=voice_on, intros="every", home_mix=True)
        parts = build_kiosk(
            Config(voice=voice),
            Path(tmp) / "data",
            song_source=ShuffleSource(songs, 1),
            audio_output="dummy",
            settings=EngineSettings(fade_ms=0, start_volume_pct=40),
        )
        engine, player = parts.engine, parts.player
        ended_at: list[float] = []
        gaps: list[float] = []
        real_poll, real_start = player.poll, player.start

        def poll() -> list[Any]:
            events = real_poll()
            if any(e.kind is PlayerEventKind.ENDED and e.slot in (0, 1) for e in events):
                ended_at.append(time.perf_counter())
            return events

        def start(slot: int, path: str, level: float, start_ms: int = 0) -> int:
            if ended_at:
                gaps.append((time.perf_counter() - ended_at.pop()) * 1000)
            return real_start(slot, path, level, start_ms)

        player.poll, player.start = poll, start  # type: ignore[method-assign]
        loop = HeadlessLoop(engine, tick_s=0.01)
        try:
            loop.run_for(0.3)
            if parts.speech is not None:
                parts.speech.wait_idle(30)
            engine.post(Intent.MORE_MUSIC, Source.TOUCH)
            loop.run_until(lambda: len(gaps) >= transitions, transitions * 8.0)
            intros = 0
            for day in Path(tmp, "data", "events").glob("*.jsonl"):
                intros += sum(
                    1 for line in day.read_text().splitlines() if json.loads(line)["type"] == "intro"
                )
        finally:
            parts.close()
            os.environ.pop("KIOSK_TEST_VOICE", None)
    return gaps[:transitions], intros


def render_rates(engine: SpeechEngine, count: int) -> list[tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        speech = SpeechService(engine, Path(tmp))
        try:
            speech.prepare("Warm up.")  # loading the model is not an introduction's cost
            speech.wait_idle(120)
            speech.render_s.clear()
            for i in range(count):
                song = Song(
                    f"s{i}",
                    "",
                    "x",
                    artist=ARTISTS[i % len(ARTISTS)],
                    year=1935 + 3 * i,
                    era_source="tag:TDOR",
                )
                speech.prepare(intro_text(song))
            speech.wait_idle(600)
            return list(speech.render_s)
        finally:
            speech.close()


def engines(args: argparse.Namespace, tmp: Path) -> dict[str, SpeechEngine]:
    out: dict[str, SpeechEngine] = {}
    if shutil.which("espeak-ng"):
        out["espeak-ng (test voice)"] = EspeakEngine()
    if piper_installed():
        from kiosk.devtools.tiny_voice import build_tiny_voice

        model = build_tiny_voice(tmp / "tiny")
        out["piper, tiny test voice (overhead only)"] = PiperEngine(
            model, model.with_name(model.name + ".json")
        )
        if args.data_dir and args.voice:
            voice = choose_voice(Path(args.data_dir), args.voice)
            if voice is not None:
                out[f"piper, {voice.name}"] = PiperEngine(
                    voice.model(Path(args.data_dir)), voice.config(Path(args.data_dir)), sha256=voice.sha256
                )
    return out


def rates_main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, engine in engines(args, Path(tmp)).items():
            rows = render_rates(engine, args.count)
            render = [r for r, _ in rows]
            audio = [a for _, a in rows]
            rtf = [r / a for r, a in rows]
            print(
                f"  {name}: {len(rows)} intros, audio {sum(audio) / len(audio):.2f} s each, render p50 "
                f"{pct(render, 0.5) * 1000:.0f} ms, max {max(render) * 1000:.0f} ms, RTF p50 {pct(rtf, 0.5):.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rates-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--voice", default="")
    args = parser.parse_args()
    if args.rates_only:
        rates_main(args)
        return
    transitions = 8 if args.quick else 20
    print(f"between songs ({transitions} song changes, libvlc dummy output):")
    off, _ = between_songs(False, transitions)
    on, intros = between_songs(True, transitions)
    print(
        f"  voice off: song end -> next song started  p50 {pct(off, 0.5):.2f} ms  p95 {pct(off, 0.95):.2f} ms"
    )
    print(
        f"  voice on:  song end -> introduction started p50 {pct(on, 0.5):.2f} ms  p95 {pct(on, 0.95):.2f} ms"
    )
    print(f"  added by the voice: p50 {pct(on, 0.5) - pct(off, 0.5):+.2f} ms ({intros} introductions said)")
    print(f"rendering ({os.cpu_count()} cores):")
    rates_main(args)
    if shutil.which("taskset"):
        print("rendering (one core: taskset -c 0):")
        cmd = ["taskset", "-c", "0", sys.executable, __file__, "--rates-only", "--count", str(args.count)]
        if args.data_dir and args.voice:
            cmd += ["--data-dir", args.data_dir, "--voice", args.voice]
        subprocess.run(cmd, check=False)


if __name__ == "__main__":
    main()
