"""A real `kiosk run` process, steered the way a person would: the journeys' whole vocabulary.

::

    kiosk = KioskProcess(data_dir, logs=tmp_path)          # starts `kiosk run`, waits for the first screen
    kiosk.touch("Touch for music")                          # by the words on the button
    kiosk.hold_corner(mm=5, seconds=3.5)                    # a finger held 5 mm from the top-left corner
    seen = kiosk.wait_for_words("Enter PIN", timeout_s=5)   # on the real Kivy clock
    seen.screen, seen.words, seen.buttons                   # what the screen shows now
    kiosk.screenshot("pin")                                 # a PNG of the window
    kiosk.kill()                                            # SIGKILL: a power cut, as far as the kiosk knows

The process is `python -m kiosk --data-dir D --config C run [--demo]` with ``SDL_VIDEODRIVER=offscreen``. The
agent that touches and looks (``inject/journey_agent.py``) is loaded by ``inject/sitecustomize.py`` because this
class puts that folder on the child's ``PYTHONPATH``; it talks over a socket pair. Every step is written to
``journey.log`` (and the kiosk's output to ``kiosk-N.log``) in ``logs``, and failures quote the last of both.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INJECT = Path(__file__).resolve().parent / "inject"
REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0
TAP_S = 0.12  # a finger's touch: down, then up this much later


class JourneyError(AssertionError):
    """A step could not be done, or what was awaited never showed (with the screen and the kiosk's log)."""


@dataclass(frozen=True)
class Seen:
    """What the screen shows at one moment."""

    screen: str
    words: tuple[str, ...]
    buttons: tuple[dict[str, Any], ...] = ()
    window: tuple[int, int] = (0, 0)
    mono_s: float = 0.0
    labels: tuple[dict[str, Any], ...] = ()  # {"text", "rect": [x0, y0, x1, y1]} in window px, y upwards

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Seen:
        return cls(
            str(raw["screen"]),
            tuple(raw["words"]),
            tuple(raw.get("buttons", ())),
            (int(raw["window"][0]), int(raw["window"][1])),
            float(raw.get("mono_s", 0.0)),
            tuple(raw.get("labels", ())),
        )

    def label(self, text: str) -> dict[str, Any]:
        """The visible label whose text is ``text`` (case-insensitive); raises LookupError if none."""
        for item in self.labels:
            if item["text"].casefold() == text.casefold():
                return item
        raise LookupError(f"no label {text!r} on screen: {self.words}")

    @property
    def text(self) -> str:
        """All the words on screen, one label per line."""
        return "\n".join(self.words)

    def shows(self, words: str) -> bool:
        """True when some label or button on screen contains ``words`` (case-insensitive)."""
        return words.casefold() in self.text.casefold()

    def button(self, word: str) -> dict[str, Any] | None:
        """The visible button whose word is ``word`` (case-insensitive), if any."""
        for b in self.buttons:
            if b["word"].casefold() == word.casefold():
                return b
        return None

    def __str__(self) -> str:
        return f"[{self.screen}] " + " | ".join(self.words)


@dataclass
class KioskConfig:
    """The kiosk.toml a journey's kiosk starts with (dummy audio, a window of the display's size)."""

    width: int = 800
    height: int = 480
    dpi: float = 133.0
    music_dir: str = ""
    pin_hash: str = ""
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    def toml(self) -> str:
        sections: dict[str, dict[str, Any]] = {
            "audio": {"output": "dummy"},
            "display": {"width": self.width, "height": self.height, "dpi": self.dpi, "fullscreen": False},
        }
        if self.music_dir:
            sections.setdefault("library", {})["music_dir"] = self.music_dir
        if self.pin_hash:
            sections.setdefault("kiosk", {})["staff_pin_hash"] = self.pin_hash
        for name, values in self.extra.items():
            sections.setdefault(name, {}).update(values)
        lines = []
        for name, values in sections.items():
            lines.append(f"[{name}]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        return "\n".join(lines) + "\n"


class KioskProcess:
    """One running `kiosk run` (started at once; ``restart()`` starts it again over the same folder)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        logs: Path,
        config: KioskConfig | None = None,
        demo: bool = False,
        env: Mapping[str, str] | None = None,
        audio_capture: Path | None = None,
        start: bool = True,
    ):
        self.data_dir = Path(data_dir)
        self.logs = Path(logs)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.config = config or KioskConfig()
        self.config_path = self.logs / "kiosk.toml"
        self.config_path.write_text(self.config.toml(), encoding="utf-8")
        self.demo = demo
        self.extra_env = dict(env or {})
        self.audio_capture = audio_capture
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self._reader: Any = None
        self._next_id = 0
        self.starts = 0
        self.seen: Seen | None = None
        self.journal = self.logs / "journey.log"
        if start:
            self.start()

    # --- the process ----------------------------------------------------------------------------------------

    @property
    def px_per_mm(self) -> float:
        return self.config.dpi / 25.4

    @property
    def kiosk_log(self) -> Path:
        return self.logs / f"kiosk-{self.starts}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout_s: float = START_TIMEOUT_S) -> Seen:
        """Start `kiosk run` and wait until its first screen is up; returns what it shows."""
        if self.proc is not None and self.proc.poll() is None:
            raise JourneyError("the kiosk is already running")
        self.starts += 1
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        for name in ("KIVY_NO_CONSOLELOG", "WATCHDOG_USEC", "WATCHDOG_PID", "NOTIFY_SOCKET", "PYTHONPATH"):
            env.pop(name, None)
        env.update(
            SDL_VIDEODRIVER="offscreen",
            KIVY_NO_ARGS="1",
            KIVY_NO_FILELOG="1",
            KIVY_HOME=str(self.logs / "kivy-home"),
            PYTHONPATH=os.pathsep.join((str(INJECT), str(REPO))),  # the kiosk beside these tests
            ENCORE_JOURNEY_FD=str(theirs.fileno()),
            PYTHONUNBUFFERED="1",
        )
        if self.audio_capture is not None:
            env["KIOSK_TEST_AUDIO_CAPTURE"] = str(self.audio_capture)
        env.update(self.extra_env)
        cmd = [
            sys.executable,
            "-m",
            "kiosk",
            "--data-dir",
            str(self.data_dir),
            "--config",
            str(self.config_path),
        ]
        cmd += ["run", "--demo"] if self.demo else ["run"]
        self._note(f"start #{self.starts}: {' '.join(cmd[3:])}")
        with self.kiosk_log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=self.logs, env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),)
            )
        theirs.close()
        self.sock = ours
        self._reader = ours.makefile("r", encoding="utf-8")
        ours.settimeout(timeout_s)
        try:
            line = self._reader.readline()
        except TimeoutError:
            line = ""
        if not line:
            raise self._error(f"the kiosk showed no screen within {timeout_s:.0f} s")
        ours.settimeout(None)
        return self._record("ready", json.loads(line)["seen"])

    def restart(self, config: KioskConfig | None = None) -> Seen:
        """Start again over the same data folder (after :meth:`kill` or :meth:`stop`), with a new kiosk.toml
        when given (e.g. quiet hours that have begun meanwhile)."""
        if config is not None:
            self.config = config
            self.config_path.write_text(config.toml(), encoding="utf-8")
        return self.start()

    def kill(self) -> int:
        """SIGKILL now (no clean-up runs: a power cut, as far as the kiosk's files know)."""
        assert self.proc is not None
        self._note("SIGKILL")
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(10)
        self._close_socket()
        return code

    def stop(self, timeout_s: float = 20.0) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        assert self.proc is not None
        self._note("SIGTERM")
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            raise self._error(f"the kiosk did not stop within {timeout_s:.0f} s of SIGTERM") from None
        self._close_socket()
        return code

    def close(self) -> None:
        """End the process if it still runs (fixture teardown)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._close_socket()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _close_socket(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    # --- what a person does ---------------------------------------------------------------------------------

    def screen(self) -> Seen:
        """What the screen shows now (its name, its words, its buttons)."""
        return self._record("look", self._ask("observe")["seen"])

    def touch(self, words: str, *, hold_s: float = TAP_S, nth: int | None = None) -> Seen:
        """Touch the button (or label) showing ``words`` at its centre, for ``hold_s`` seconds of real time."""
        down = self._ask("down", words=words, nth=nth)
        self._record(f"touch {words!r}", down["seen"])
        return self._lift(down["touch"], hold_s, f"lift from {words!r}")

    def touch_at_mm(
        self, x_mm: float, y_mm: float, *, corner: str = "top-left", hold_s: float = TAP_S
    ) -> Seen:
        """A touch ``x_mm`` across and ``y_mm`` down (or up) from a corner of the screen, held ``hold_s``."""
        x, y = self._corner_px(x_mm, y_mm, corner)
        down = self._ask("down", x=x, y=y)
        self._record(f"touch {x_mm:g},{y_mm:g} mm from {corner}", down["seen"])
        return self._lift(down["touch"], hold_s, f"lift after {hold_s:g} s")

    def hold_corner(self, *, mm: float = 5.0, seconds: float = 3.5, corner: str = "top-left") -> Seen:
        """A finger held ``mm`` from both edges of a corner for ``seconds`` (real time), then lifted."""
        return self.touch_at_mm(mm, mm, corner=corner, hold_s=seconds)

    def wait_for_words(self, *words: str, timeout_s: float = 5.0) -> Seen:
        """Until every one of ``words`` is on screen; raises :class:`JourneyError` with the screen if not."""
        return self._wait(f"wait for {words}", timeout_s, words=list(words))

    def wait_until_gone(self, *words: str, timeout_s: float = 5.0) -> Seen:
        """Until none of ``words`` is on screen."""
        return self._wait(f"wait until {words} gone", timeout_s, gone=list(words))

    def wait_for_screen(self, name: str, *, timeout_s: float = 5.0, words: Iterable[str] = ()) -> Seen:
        """Until the screen called ``name`` shows (with ``words`` on it, when given)."""
        return self._wait(f"wait for screen {name!r}", timeout_s, screen=name, words=list(words))

    def stays(self, seconds: float, *, screen: str | None = None, gone: Iterable[str] = ()) -> Seen:
        """Watch for ``seconds``: fails if ``gone`` words appear or the screen changes away from ``screen``."""
        gone = list(gone)
        deadline = time.monotonic() + seconds
        seen = self.screen()
        while time.monotonic() < deadline:
            bad = [w for w in gone if seen.shows(w)]
            if bad or (screen is not None and seen.screen != screen):
                raise self._error(f"while watching for {seconds:g} s the screen changed: {seen}")
            time.sleep(0.1)
            seen = self._record("watch", self._ask("observe")["seen"], quiet=True)
        return seen

    def screenshot(self, name: str) -> Path:
        """A PNG of the whole window, ``<logs>/<name>.png``."""
        path = self.logs / f"{name}.png"
        self._ask("screenshot", path=str(path))
        self._note(f"screenshot {path.name}")
        return path

    def pause(self, seconds: float) -> None:
        """Let real time pass (a person waiting): the kiosk's own clock runs meanwhile."""
        self._note(f"wait {seconds:g} s")
        time.sleep(seconds)

    # --- plumbing -------------------------------------------------------------------------------------------

    def _lift(self, touch: int, hold_s: float, what: str) -> Seen:
        time.sleep(hold_s)
        return self._record(what, self._ask("up", touch=touch)["seen"])

    def _corner_px(self, x_mm: float, y_mm: float, corner: str) -> tuple[float, float]:
        w, h = self.config.width, self.config.height
        dx, dy = x_mm * self.px_per_mm, y_mm * self.px_per_mm
        vertical, horizontal = corner.split("-")
        x = dx if horizontal == "left" else w - 1 - dx
        y = h - 1 - dy if vertical == "top" else dy  # Kivy's y grows upwards
        return x, y

    def _wait(self, what: str, timeout_s: float, **condition: Any) -> Seen:
        reply = self._ask("wait", timeout_s=timeout_s, **condition)
        seen = self._record(what, reply["seen"])
        if not reply["met"]:
            raise self._error(f"{what}: not shown within {timeout_s:g} s")
        return seen

    def _ask(self, op: str, **args: Any) -> dict[str, Any]:
        if self.sock is None or not self.alive():
            raise self._error(f"{op}: the kiosk is not running")
        self._next_id += 1
        request = {"id": self._next_id, "op": op, **{k: v for k, v in args.items() if v is not None}}
        self.sock.sendall((json.dumps(request) + "\n").encode("utf-8"))
        self.sock.settimeout(float(args.get("timeout_s", 0)) + 30.0)
        try:
            line = self._reader.readline()
        except TimeoutError:
            line = ""
        if not line:
            raise self._error(f"{op}: no answer from the kiosk")
        reply: dict[str, Any] = json.loads(line)
        if not reply.get("ok"):
            raise self._error(f"{op} {args}: {reply.get('error')}")
        return reply

    def _record(self, what: str, raw: Mapping[str, Any], *, quiet: bool = False) -> Seen:
        self.seen = Seen.of(raw)
        if not quiet:
            self._note(f"{what} -> {self.seen}")
        return self.seen

    def _note(self, line: str) -> None:
        with self.journal.open("a", encoding="utf-8") as fh:
            fh.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.kiosk_log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _error(self, message: str) -> JourneyError:
        state = "running" if self.alive() else f"exited ({self.proc.returncode if self.proc else '-'})"
        return JourneyError(
            f"{message}\nlast seen: {self.seen}\nkiosk {state}; its log ends:\n{self.log_tail()}\n"
            f"(journey steps: {self.journal})"
        )
