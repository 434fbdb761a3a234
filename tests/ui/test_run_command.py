"""`kiosk run` end to end: a real (offscreen) window, fullscreen kiosk settings; SIGTERM stops it cleanly even
though the locked kiosk refuses window-close requests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path


def test_kiosk_run_starts_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_LOG_MODE="PYTHON", KIVY_HOME=str(tmp_path / "kivy"))  # fmt: skip
    env.pop("KIVY_NO_CONSOLELOG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "-v", "--data-dir", str(tmp_path / "data"), "--config",
         str(tmp_path / "none.toml"), "run"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    started = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "Start application main loop" in line:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(60), "".join(lines[-30:])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(5)
    text = "".join(lines)
    try:
        from kiosk import wiring  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        wiring = None
    if getattr(wiring, "kiosk_parts", None) is None:
        assert "running the demo" in text  # no engine wired yet: the demo control stands in, and says so
    assert "Traceback" not in text
