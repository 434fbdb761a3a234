"""The gentle voice heard for real: libvlc's decoded samples (the audio capture of the acceptance suite), the
real speech service (espeak-ng, the test voice), the real engine. Checks the timeline: introduction -> song,
lyric cue -> its line, the music's dip under the cue, and speech under the same ceiling as music."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.adapters.audio_capture import CaptureFile
from kiosk.adapters.journal import JsonlJournal
from kiosk.adapters.mainloop import HeadlessLoop
from kiosk.adapters.player import VlcPlayer
from kiosk.adapters.speech import SpeechService
from kiosk.adapters.speech_engines import EspeakEngine
from kiosk.domain.clock_trust import ClockBasis
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.lyrics import parse_lrc
from kiosk.domain.models import Mode, Song
from kiosk.domain.playback import VOICE_SLOT, PolicyNow
from kiosk.domain.session import SessionEngine
from kiosk.domain.session_record import EngineSettings
from kiosk.domain.session_sources import ShuffleSource
from kiosk.domain.session_voice import VoiceParts
from kiosk.domain.voice import IntroEvery, VoiceSettings
from tests.acceptance.audio import Heard, read_capture
from tests.adapters.test_player import sox

LINE_MS = 6000
CUE = "Smile though your heart is aching"


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def trusted(self) -> bool:
        return True


def rms_db(heard: list[Heard], start: float, end: float) -> float:
    inside = [h for h in heard if start <= h.pts_s <= end]
    assert inside, (start, end)
    power = sum(h.rms**2 * h.frames for h in inside) / sum(h.frames for h in inside)
    return 10 * math.log10(power)


def sounding(heard: list[Heard], slot: int, floor: float = 0.003) -> list[Heard]:
    return [h for h in heard if h.slot == slot and h.peak > floor]


@pytest.mark.timeout(90)
def test_intro_then_song_and_a_cue_before_its_line_with_the_music_dipped(tmp_path: Path) -> None:
    tone = sox(tmp_path / "song.wav", 10)
    (tmp_path / "song.lrc").write_text(f"[00:0{LINE_MS // 1000}.00]{CUE}\n")
    song = Song(
        "s-1",
        str(tone),
        "Smile",
        artist="Nat King Cole",
        year=1954,
        era_source="tag:TDOR",
        duration_s=10.0,
        lyrics_path=str(tmp_path / "song.lrc"),
    )
    capture = CaptureFile(tmp_path / "heard.pcm")
    player = VlcPlayer("dummy", slots=3, capture=capture)
    speech = SpeechService(EspeakEngine(), tmp_path)
    voice = VoiceSettings(enabled=True, intros=IntroEvery.EVERY, lyric_coach=True, home_mix=True)
    engine = SessionEngine(
        player=player,
        clock=RealClock(),
        journal=JsonlJournal(tmp_path / "events", "k", RealClock(), data_root=tmp_path),
        songs=ShuffleSource([song], seed=1),
        settings=EngineSettings(start_volume_pct=40, max_volume_pct=80, fade_ms=300),
        policy=lambda _at: PolicyNow(),
        voice=VoiceParts(
            speech=speech,
            settings=voice,
            clock_basis=lambda: ClockBasis.UNTRUSTED,
            lyrics=lambda s: parse_lrc(Path(s.lyrics_path or "").read_text()),
        ),
    )
    engine.mode = Mode.SING
    loop = HeadlessLoop(engine)
    try:
        loop.run_for(0.2)  # idle: the song picked ahead, its introduction rendered
        speech.prepare(CUE)
        assert speech.wait_idle(30)
        intro = speech.ready("Here is Nat King Cole, from nineteen fifty-four.")
        cue = speech.ready(CUE)
        assert intro is not None and cue is not None
        engine.post(Intent.MORE_MUSIC, Source.TOUCH)
        assert loop.run_until(lambda: engine.play is not None, 15)
        assert loop.run_until(lambda: engine.status is Status.ENDED or engine.play is None, 25)
        loop.run_for(1.5)  # let the last buffers land
    finally:
        player.close()
        capture.close()
        speech.close()
    heard = read_capture(tmp_path / "heard.pcm")
    voice_heard = sounding(heard, VOICE_SLOT)
    music = [h for h in heard if h.slot in (0, 1)]
    assert voice_heard and music
    # 1. the introduction, then the song: no music under the voice, the song within half a second after it
    intro_end = max(h.pts_s + h.frames / 44100 for h in voice_heard if h.pts_s < music[0].pts_s + 1.0)
    music_start = min(h.pts_s for h in sounding(heard, 0, floor=0.001))
    assert music_start >= intro_end - 0.25
    assert music_start - intro_end < 0.6
    # the intro itself: as long as the rendered clip
    intro_heard = [h for h in voice_heard if h.pts_s < music_start]
    spoken = intro_heard[-1].pts_s + intro_heard[-1].frames / 44100 - intro_heard[0].pts_s
    assert abs(spoken - intro.duration_s) < 0.5
    # 2. the cue: starts max(1.5, cue + 0.3) s before its line, within the pump's and buffers' granularity
    cue_heard = [h for h in voice_heard if music_start < h.pts_s < music_start + LINE_MS / 1000 + 1.0]
    assert cue_heard, "the cue was not heard"
    lead_s = max(1.5, cue.duration_s + 0.3)
    expected = music_start + LINE_MS / 1000 - lead_s
    assert abs(cue_heard[0].pts_s - expected) < 0.45, (cue_heard[0].pts_s - music_start, lead_s)
    cue_end = cue_heard[-1].pts_s + cue_heard[-1].frames / 44100
    assert cue_end < music_start + LINE_MS / 1000  # said before the line is sung
    # 3. the music dips by about 8 dB under the cue and comes back
    before = rms_db(music, cue_heard[0].pts_s - 1.2, cue_heard[0].pts_s - 0.3)
    under = rms_db(music, cue_heard[0].pts_s + 0.4, cue_end - 0.3)
    after = rms_db(music, cue_end + 0.8, cue_end + 1.6)
    assert -9.5 < under - before < -6.5, (before, under)
    assert abs(after - before) < 1.0
    # 4. speech under the same ceiling as the music (volume 40 %): its peaks never above 0.40
    assert max(h.peak for h in voice_heard) <= 0.40 * 1.01
    assert max(h.peak for h in voice_heard) > 0.2  # and clearly heard
