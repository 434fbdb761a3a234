"""Play along: press -> samples handed to the audio API (p95, target <= 20 ms) beside the API's own floor, and
the beat analysis of a 3-minute song (CPU, target <= 5 s), also on one core (`taskset -c 0`).

The press figure uses the output the kiosk picks here: PortAudio when a device opens, else the null output
(no sound card), which hands blocks on at the real pace through the same mixing code. The floor is the same
output with a bare callback that only notices a flag: the wait for the next block, which no mixer can beat.
The device's own buffer (``latency``) comes on top of both and is printed beside them.

``.venv/bin/python bench/play_along.py`` (``--analysis-only`` is how the one-core figure is measured).
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.adapters.beat_analysis import RATE_HZ, analyse_file  # noqa: E402
from kiosk.adapters.mixer import BLOCK_FRAMES, Mixer, NullOutput, SoundDeviceOutput  # noqa: E402
from kiosk.adapters.percussion import load_sounds  # noqa: E402

PRESSES = 200


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def open_output(mixer: Mixer) -> tuple[object, str]:
    try:
        return SoundDeviceOutput(mixer), "PortAudio (sounddevice)"
    except Exception as exc:
        return NullOutput(mixer), f"null output (no device: {str(exc)[:60]})"


def press_latency() -> None:
    waits: list[float] = []
    done = threading.Event()

    def first_block(pressed_s: float, handed_s: float) -> None:
        waits.append(handed_s - pressed_s)
        done.set()

    mixer = Mixer(load_sounds(None), on_first_block=first_block)
    out, name = open_output(mixer)
    rng = random.Random(1)
    try:
        for _ in range(PRESSES):
            time.sleep(rng.uniform(0.02, 0.06))
            done.clear()
            mixer.play(rng.choice(list(mixer.sounds)), 0.0, 0.5)
            done.wait(1.0)
        device_s = float(getattr(out, "latency_s", 0.0))
    finally:
        out.close()  # type: ignore[attr-defined]
    floor = bare_floor()
    print(
        f"press -> samples handed to the audio API, {PRESSES} presses ({name}, {BLOCK_FRAMES}-frame blocks)"
    )
    print(f"  mixer:  median {statistics.median(waits) * 1000:6.2f} ms   p95 {p95(waits) * 1000:6.2f} ms"
          f"   max {max(waits) * 1000:6.2f} ms   (target p95 <= 20 ms)")  # fmt: skip
    print(f"  floor:  median {statistics.median(floor) * 1000:6.2f} ms   p95 {p95(floor) * 1000:6.2f} ms"
          f"   (bare callback noticing a flag: the wait for the next block)")  # fmt: skip
    print(
        f"  ratio p95 mixer/floor: {p95(waits) / max(p95(floor), 1e-9):.2f}x;"
        f" plus the device's own buffer: {device_s * 1000:.1f} ms"
    )


def bare_floor() -> list[float]:
    """The same null output pacing, with a render that only notices a flag (no mixing)."""
    flag: list[float] = []
    waits: list[float] = []
    seen = threading.Event()

    class Bare(Mixer):
        def render(self, frames: int, block_start_s: float) -> np.ndarray:
            if flag:
                waits.append(time.monotonic() - flag.pop())
                seen.set()
            return np.zeros((frames, 2), dtype=np.float32)

    out = NullOutput(Bare({}))
    rng = random.Random(2)
    try:
        for _ in range(PRESSES):
            time.sleep(rng.uniform(0.02, 0.06))
            seen.clear()
            flag.append(time.monotonic())
            seen.wait(1.0)
    finally:
        out.close()
    return waits


def three_minute_song(path: Path) -> None:
    """A 3-minute, 44.1 kHz stereo song-like file: drums at 112 BPM, a bass line and a chord pad, in noise."""
    rate, seconds = 44_100, 180
    t = np.arange(rate * seconds) / rate
    rng = np.random.default_rng(5)
    x = 0.02 * rng.standard_normal(len(t))
    beat = 60 / 112
    hit_t = np.arange(int(0.12 * rate)) / rate
    kick = np.sin(2 * np.pi * 60 * hit_t) * np.exp(-hit_t * 25)
    for k in range(int(seconds / beat)):
        i = int((0.4 + k * beat) * rate)
        seg = x[i : i + len(kick)]
        seg += 0.6 * kick[: len(seg)]
    x += 0.15 * np.sin(2 * np.pi * 110 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * t / (4 * beat)))
    x += 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (220, 277, 330))
    pcm = (np.clip(x / np.max(np.abs(x)), -1, 1) * 0.9 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(pcm[:, None], 2, axis=1).tobytes())


def analysis_cpu(path: Path) -> tuple[float, float, float]:
    """(CPU s of this process + the decoder child, wall s, tempo found) for one analysis."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    analysis = analyse_file(path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    tempo = analysis.summary.tempo_bpm if analysis else 0.0
    return time.process_time() - cpu0 + child, time.perf_counter() - wall0, tempo


def frame_lateness(seconds: float, busy: Callable[[], bool] | None = None) -> list[float]:
    """A 60 fps loop on this (the UI) thread doing 3 ms of Python per frame, as Kivy's frames do: how late
    each frame starts (s). Runs ``seconds``, or while ``busy()`` (the background analysis) says so."""
    period, late, start = 1 / 60, [], time.perf_counter()
    due = start + period
    while (busy() if busy is not None else time.perf_counter() - start < seconds) and len(late) < 60 * 600:
        time.sleep(max(0.0, due - time.perf_counter()))
        late.append(max(0.0, time.perf_counter() - due))
        spin = time.perf_counter() + 0.003
        while time.perf_counter() < spin:  # the frame's own Python work (needs the interpreter lock)
            pass
        due += period
        if time.perf_counter() > due:
            due = time.perf_counter() + period  # a missed frame is skipped, as Kivy's clock does
    return late


def background_analysis(song: Path) -> None:
    """``kiosk run``'s background analysis (BeatAnalyser) of the 3-minute song beside a 60 fps UI loop."""
    from kiosk.adapters.beat_worker import BeatAnalyser
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.library_scan import scan_library

    music, data = song.parent / "music", song.parent / "data"
    music.mkdir()
    shutil.copy(song, music / song.name)
    scan_library(DataFolder(data), music)
    analyser = BeatAnalyser(data, lambda: music)
    t0 = time.perf_counter()
    analyser.request()
    with_analysis = frame_lateness(0, busy=lambda: not analyser.wait_idle(0))
    took = time.perf_counter() - t0
    analyser.close()
    alone = frame_lateness(took)  # the baseline: the same loop, as long, with nothing in the background
    print(
        f"UI frames (60 fps, 3 ms of Python each) while `kiosk run` analyses it in the background ({took:.1f} s):"
    )
    for name, late in (("analysing", with_analysis), ("baseline", alone)):
        print(f"  {name:9s}: late p95 {p95(late) * 1000:5.1f} ms, max {max(late) * 1000:5.1f} ms, "
              f"{len(late)} frames")  # fmt: skip


def main() -> int:
    if "--analysis-only" in sys.argv:
        cpu, wall, tempo = analysis_cpu(Path(sys.argv[-1]))
        print(f"{cpu:.3f} {wall:.3f} {tempo:.2f}")
        return 0
    press_latency()
    with tempfile.TemporaryDirectory() as tmp:
        song = Path(tmp) / "three-minutes.wav"
        three_minute_song(song)
        cpu, wall, tempo = analysis_cpu(song)
        decode_cpu0 = time.process_time()
        from kiosk.adapters.beat_analysis import decode

        samples = decode(song)
        decode_cpu = time.process_time() - decode_cpu0
        print(f"beat analysis of a 3-minute song ({len(samples) / RATE_HZ:.0f} s decoded at {RATE_HZ} Hz):")
        print(f"  CPU {cpu:.2f} s (decoder included), wall {wall:.2f} s, tempo found {tempo:.1f} BPM"
              f" (made at 112); target <= 5 s CPU")  # fmt: skip
        print(f"  baseline in this run: decoding alone {decode_cpu:.2f} s CPU in Python's side of the pipe")
        if shutil.which("taskset"):
            one = subprocess.run(["taskset", "-c", "0", sys.executable, __file__, "--analysis-only", str(song)],
                                 capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
            print(f"  one core (taskset -c 0): CPU {float(one[0]):.2f} s, wall {float(one[1]):.2f} s")
        background_analysis(song)
    print(
        "runs in `kiosk scan`, and in `kiosk run` in an idle-priority child process, never on the UI thread"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
