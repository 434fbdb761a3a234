"""`kiosk run` end to end: a real (offscreen) window over the real engine and libvlc (dummy output); systemd's
notify socket gets READY once the first screen shows and WATCHDOG while the UI loop and the engine make
progress; SIGTERM stops it cleanly even though the locked kiosk refuses window-close requests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path


def test_kiosk_run_notifies_systemd_and_stops_on_sigterm(tmp_path: Path) -> None:
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    sock.settimeout(60)
    config = tmp_path / "kiosk.toml"
    config.write_text('[audio]\noutput = "dummy"\n')
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1",
               KIVY_LOG_MODE="PYTHON", KIVY_HOME=str(tmp_path / "kivy"), NOTIFY_SOCKET=str(notify_path),
               WATCHDOG_USEC="2000000")  # fmt: skip
    env.pop("KIVY_NO_CONSOLELOG", None)
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "-v", "--data-dir", str(tmp_path / "data"), "--config", str(config),
         "run"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        lines.extend(proc.stderr)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    received: list[str] = []
    try:
        while not any("WATCHDOG=1" in m for m in received):
            try:
                received.append(sock.recv(4096).decode())
            except TimeoutError:
                raise AssertionError("no READY/WATCHDOG from the kiosk:\n" + "".join(lines[-30:])) from None
        assert "READY=1" in received[0]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, "".join(lines[-30:])
        sock.settimeout(5)
        while not any("STOPPING=1" in m for m in received):
            received.append(sock.recv(4096).decode())
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    reader.join(5)
    assert proc.stdout is not None
    assert "Encore kiosk running fullscreen." in proc.stdout.read()
    assert "Traceback" not in "".join(lines)
