"""Journey 9: the gentle voice on the real `kiosk run` (the tests' espeak-ng voice, KIOSK_TEST_VOICE).

A resident whose `voice` column says yes (set by a residents import, as staff would) hears her song introduced
before it starts: the voice's samples come before the song's in the audio capture. In the lounge the voice
never says a name or an age: every clip it rendered is a name-free introduction (the speech cache's names are
hashes of the texts), and the journal's intro events say no age was spoken."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.adapters.catalogue import TinyCatalogue
from kiosk.adapters.docstore import DataFolder
from kiosk.adapters.residents import ResidentsStore
from kiosk.adapters.speech import cache_key
from kiosk.adapters.speech_engines import EspeakEngine
from kiosk.domain.playback import VOICE_SLOT
from kiosk.domain.voice import intro_text
from tests.acceptance import disk
from tests.acceptance.audio import read_capture
from tests.acceptance.kiosk_process import KioskConfig, KioskProcess

Start = Callable[..., KioskProcess]
TEST_VOICE = {"KIOSK_TEST_VOICE": "espeak-ng"}
SOUND = 0.01  # a buffer peaking above this is heard (the dummy output's silence is 0)


def _voice_yes(data_dir: Path, *staff_ids: str) -> None:
    """Staff switch the voice on for these residents with a residents file of two columns."""
    sheet = data_dir.parent / "voice.csv"
    sheet.write_text("id,voice\n" + "".join(f"{s},yes\n" for s in staff_ids), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), "residents", "import", str(sheet)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _voice_config(config: KioskConfig, **voice: object) -> KioskConfig:
    extra = dict(config.extra)
    extra["voice"] = {"enabled": True, "intros": "every", **voice}
    return dataclasses.replace(config, extra=extra)


def test_her_song_starts_with_a_spoken_introduction(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    _voice_yes(prepared_data, "D-01")
    capture = tmp_path / "heard.pcm"
    kiosk = start_kiosk(
        prepared_data, config=_voice_config(journey_config), audio_capture=capture, env=TEST_VOICE
    )
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")
    kiosk.wait_for_screen("now_playing")
    intro = disk.wait_until(lambda: disk.events(prepared_data, "intro"), 10)
    assert intro and intro[0]["detail"]["duration_s"] > 0.5, intro
    started = disk.wait_until(lambda: disk.events(prepared_data, "song_start"), 10)
    assert started and started[0]["detail"].get("intro") is True, started

    def first_sound(slots: set[int]) -> float:
        return min(
            (h.mono_s for h in read_capture(capture) if h.slot in slots and h.peak > SOUND), default=0.0
        )

    voice_at = disk.wait_until(lambda: first_sound({VOICE_SLOT}), 10)
    song_at = disk.wait_until(lambda: first_sound({0, 1}), 15)
    assert voice_at and song_at, read_capture(capture)[:5]
    # the voice is heard first, and the song only once the introduction has been said
    assert voice_at < song_at, (voice_at, song_at)
    assert song_at - voice_at >= 0.8 * intro[0]["detail"]["duration_s"], (voice_at, song_at, intro)


def test_in_the_lounge_the_voice_never_says_a_name_or_an_age(
    prepared_data: Path, journey_config: KioskConfig, start_kiosk: Start, tmp_path: Path
) -> None:
    _voice_yes(prepared_data, "D-01")
    config = _voice_config(journey_config, intro_age=True)
    config.extra["kiosk"] = {"mode": "lounge"}
    kiosk = start_kiosk(prepared_data, config=config, env=TEST_VOICE)
    kiosk.touch("Touch for music")
    kiosk.touch("Edie")
    kiosk.wait_for_screen("now_playing")
    intros = disk.wait_until(lambda: disk.events(prepared_data, "intro"), 10)
    assert intros and all(e["detail"]["age"] is False for e in intros), intros
    kiosk.touch("Another song")  # the next song is introduced too (rendered ahead while the first played)
    disk.wait_until(lambda: len(disk.events(prepared_data, "song_start")) >= 2, 10)
    data = DataFolder(prepared_data)
    edie = next(r for r in ResidentsStore(data).all() if r.staff_id == "D-01")
    assert edie.voice
    voice_id = EspeakEngine().voice_id
    songs = TinyCatalogue(data).songs()
    plain = {cache_key(voice_id, intro_text(s)) for s in songs}
    personal = {cache_key(voice_id, intro_text(s, listener=edie, with_age=True)) for s in songs} - plain
    assert personal  # the check could fail: her songs' personal introductions differ from the plain ones
    said = {p.stem for p in (prepared_data / "speech-cache").glob("*.wav")}
    assert said and said <= plain, (said - plain, "a clip that is not a name-free introduction")
    assert not said & personal
