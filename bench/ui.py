"""Touch UI targets, offscreen (SDL), each app in its own process, alternating, 3 runs each (median):

- cold start to the first interactive screen drawn: the kiosk (demo control, 800x480) vs a bare Kivy app with
  one button. Target: <= 1.5x the bare app.
- touch -> feedback: frames drawn between the touch and the pressed colour being on the canvas (target: the
  next frame, 1) and that frame's time, beside the bare button's.
- RSS of the running app after 30 frames: kiosk vs bare. Target: <= bare + 60 MB.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKSET = shutil.which("taskset")

CHILD = r"""
import json, os, sys, time
T0 = float(sys.argv[2])
kind = sys.argv[1]
sys.path.insert(0, sys.argv[3])
from kiosk.config import Config, DisplayConfig
from kiosk.ui.kivy_setup import configure_kivy
configure_kivy(DisplayConfig(width=800, height=480), windowed=True)
from kivy.app import App
from kivy.base import EventLoop
from kivy.clock import Clock

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

result = {}

def measure(app, button, pressed):
    from kivy.tests import UnitTestTouch
    result["start_s"] = time.monotonic() - T0
    for _ in range(30):
        EventLoop.idle()
    x, y = button.to_window(*button.center)
    touch = UnitTestTouch(x, y)
    t = time.perf_counter()
    touch.touch_down()
    frames = 0
    while not pressed() and frames < 10:
        EventLoop.idle()
        frames += 1
    EventLoop.idle()  # the frame that shows it
    frames += 1
    result["feedback_frames"] = frames
    result["feedback_ms"] = (time.perf_counter() - t) * 1000
    touch.touch_up()
    result["rss_mb"] = rss_mb()
    print("JSON:" + json.dumps(result), flush=True)
    app.stop()

if kind == "bare":
    from kivy.uix.button import Button
    class Bare(App):
        def build(self):
            self.b = Button(text="Music")
            return self.b
        def on_start(self):
            Clock.schedule_once(lambda dt: measure(self, self.b, lambda: self.b.state == "down"), 0)
    Bare().run()
else:
    from pathlib import Path
    from kiosk.ui.app import build_app
    from kiosk.devtools.demo import make_demo
    control, residents, staff = make_demo()
    app = build_app(Config(display=DisplayConfig(width=800, height=480)), control, residents, staff,
                    data_dir=Path(sys.argv[4]), windowed=True)
    def go(dt):
        target = app.ui.idle.ids.touch_target
        canvas_colour = lambda: tuple(target.bg_color) == tuple(target.pressed_color)
        measure(app, target, canvas_colour)
    app.on_start = lambda: Clock.schedule_once(go, 0)
    app.run()
"""


def run_one(
    kind: str, env: dict[str, str], data_dir: str, prefix: list[str] | None = None
) -> dict[str, float]:
    script = Path(data_dir) / "ui_bench_child.py"
    script.write_text(CHILD, encoding="utf-8")  # Kivy's App needs a real source file
    t0 = time.monotonic()
    out = subprocess.run(
        [*(prefix or []), sys.executable, str(script), kind, repr(t0), str(ROOT), data_dir],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("JSON:")), None)
    if line is None:
        raise SystemExit(f"{kind} app failed:\n{out.stderr[-2000:]}")
    return json.loads(line[5:])


def real_kiosk_rss_mb(env: dict[str, str]) -> tuple[float, float]:
    """RSS of the real `kiosk run --demo` (engine, libvlc, demo library and residents) once its first screen
    shows and 10 s later, at rest (nobody taps: no music yet; see bench/soak.py for memory while playing).
    The demo content is made first, outside the timing."""
    data = Path(tempfile.mkdtemp(prefix="encore-bench-demo-"))
    config = data / "kiosk.toml"
    config.write_text('[audio]\noutput = "dummy"\n[kiosk]\nmode = "personal"\nresident = "D-01"\n')
    subprocess.run([sys.executable, "-c", f"from kiosk.wiring import prepare_demo; prepare_demo({str(data)!r})"],
                   env=env, check=True, capture_output=True, timeout=600)  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data), "--config", str(config), "run", "--demo", "--windowed"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip

    def rss() -> float:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("Encore kiosk running"):
                break
        time.sleep(2.0)
        first = rss()
        time.sleep(10.0)
        return first, rss()
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> int:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_NO_CONSOLELOG="1", KIVY_LOG_MODE="PYTHON", KIVY_HOME=tempfile.mkdtemp(prefix="kivy-home-"))  # fmt: skip
    data_dir = tempfile.mkdtemp(prefix="encore-bench-")
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "kiosk": []}
    run_one("bare", env, data_dir)  # warm the disk cache for both (same modules)
    for _ in range(3):
        for kind in ("bare", "kiosk"):
            runs[kind].append(run_one(kind, env, data_dir))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    bare_s, kiosk_s = med("bare", "start_s"), med("kiosk", "start_s")
    bare_mb, kiosk_mb = med("bare", "rss_mb"), med("kiosk", "rss_mb")
    print(f"{'figure':40} {'bare Kivy':>12} {'Encore':>12} {'ratio/diff':>12}  target")
    print(
        f"{'cold start to first screen (s)':40} {bare_s:12.2f} {kiosk_s:12.2f} {kiosk_s / bare_s:11.2f}x  <= 1.5x"
    )
    print(f"{'touch -> feedback (frames)':40} {med('bare', 'feedback_frames'):12.0f} "
          f"{med('kiosk', 'feedback_frames'):12.0f} {'':12}  1 (next frame)")  # fmt: skip
    print(f"{'touch -> feedback frame drawn (ms)':40} {med('bare', 'feedback_ms'):12.1f} "
          f"{med('kiosk', 'feedback_ms'):12.1f} {med('kiosk', 'feedback_ms') / med('bare', 'feedback_ms'):11.2f}x")  # fmt: skip
    print(
        f"{'RSS after 30 frames (MB)':40} {bare_mb:12.1f} {kiosk_mb:12.1f} {kiosk_mb - bare_mb:+11.1f}  <= +60 MB"
    )
    real_first, real_later = real_kiosk_rss_mb(env)
    print(
        f"{'RSS, real kiosk run --demo, at rest (MB)':40} {bare_mb:12.1f} {real_first:12.1f} "
        f"{real_first - bare_mb:+11.1f}  <= +60 MB (engine, libvlc, demo library)"
    )
    print(f"{'  the same after 10 s more (MB)':40} {'':12} {real_later:12.1f} {real_later - bare_mb:+11.1f}")
    if TASKSET:  # single core: one more cold start of each, pinned to core 0
        pinned = ["taskset", "-c", "0"]
        one_bare = run_one("bare", env, data_dir, prefix=pinned)["start_s"]
        one_kiosk = run_one("kiosk", env, data_dir, prefix=pinned)["start_s"]
        print(
            f"{'single core (taskset -c 0): cold start (s)':40} {one_bare:12.2f} {one_kiosk:12.2f} "
            f"{one_kiosk / one_bare:11.2f}x  (one run each)"
        )
    ok = (
        kiosk_s <= 1.5 * bare_s
        and med("kiosk", "feedback_frames") <= 1
        and kiosk_mb - bare_mb <= 60
        and real_later - bare_mb <= 60
    )
    print("targets: OK" if ok else "targets: MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
