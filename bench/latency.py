"""Intent -> Paused and intent -> next song Playing, beside bare libvlc pause()/play() on the same files.

Targets (issue 5): Paused <= 20 ms p95, next song Playing <= 50 ms p95 (the fade itself excluded: it runs
after the new song is already playing, and is printed apart). Real libvlc, dummy output.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import vlc  # noqa: E402

from bench._engine_common import engine, pct, tones  # noqa: E402
from bench._single_core import pinned, print_pinned  # noqa: E402
from kiosk.adapters.mainloop import HeadlessLoop  # noqa: E402
from kiosk.domain.intents import Intent, Source, Status  # noqa: E402

ROUNDS = 20 if "--pinned" in sys.argv else 40


def bare(path: str) -> tuple[list[float], list[float]]:
    """The floor: libvlc alone. pause(): the call; play(): from the call to MediaPlayerPlaying."""
    inst = vlc.Instance(["--no-video", "--quiet", "--intf=dummy", "--aout=dummy"])
    mp = inst.media_player_new()
    playing = threading.Event()
    mp.event_manager().event_attach(vlc.EventType.MediaPlayerPlaying, lambda _e: playing.set())
    pauses, plays = [], []
    for _ in range(ROUNDS):
        mp.stop()
        media = inst.media_new_path(path)
        mp.set_media(media)
        media.release()
        playing.clear()
        t0 = time.perf_counter()
        mp.play()
        playing.wait(5)
        plays.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.02)
        t0 = time.perf_counter()
        mp.set_pause(1)
        pauses.append((time.perf_counter() - t0) * 1000)
    mp.stop()
    mp.release()
    inst.release()
    return pauses, plays


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        songs = tones(Path(tmp) / "music", 8, 5.0)
        bare_pause, bare_play = bare(songs[0].path)
        parts = engine(Path(tmp) / "data", songs, fade_ms=1500)
        e, loop = parts.engine, HeadlessLoop(parts.engine, tick_s=0.001)
        pauses, nexts = [], []
        try:
            e.post(Intent.PLAY_PAUSE, Source.TOUCH)
            loop.run_until(lambda: e.play is not None and e.play.playing_confirmed, 5)
            for i in range(ROUNDS):
                t0 = time.perf_counter()
                e.post(
                    Intent.PLAY_PAUSE, Source.AUTO if i % 2 else Source.STAFF
                )  # exempt from the tap filter
                assert e.view().status is Status.PAUSED
                pauses.append((time.perf_counter() - t0) * 1000)
                e.post(Intent.PLAY_PAUSE, Source.STAFF)
                t0 = time.perf_counter()
                e.post(Intent.NEXT, Source.STAFF)
                loop.run_until(lambda: e.play is not None and e.play.playing_confirmed, 5)
                nexts.append((time.perf_counter() - t0) * 1000)
                loop.run_for(0.03)
        finally:
            parts.close()
    print(
        f"{'figure (ms, n=' + str(ROUNDS) + ')':34} {'p50':>7} {'p95':>7}   {'bare libvlc p50':>15} {'p95':>7}"
    )
    rows = [
        ("intent -> Paused", pauses, bare_pause, 20),
        ("intent -> next song Playing", nexts, bare_play, 50),
    ]
    for name, got, floor, target in rows:
        print(
            f"{name:34} {pct(got, 0.5):7.1f} {pct(got, 0.95):7.1f}   {pct(floor, 0.5):15.1f} {pct(floor, 0.95):7.1f}"
            f"   target p95 <= {target} ms, ratio p95 {pct(got, 0.95) / max(pct(floor, 0.95), 0.01):.1f}x floor"
        )
    print("fade-in after the new song is playing: 1500 ms (audio.fade_ms), not counted above")
    if not pinned():
        print_pinned(__file__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
