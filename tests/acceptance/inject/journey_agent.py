"""The journey agent: runs INSIDE a `kiosk run` process started by the acceptance suite, never anywhere else.

It is loaded by ``sitecustomize.py`` in this folder, which the test puts on the kiosk's ``PYTHONPATH`` together
with ``ENCORE_JOURNEY_FD`` (one end of a socket pair). Nothing under ``kiosk/`` knows it exists.

What it does is what a person and their eyes do, nothing more:

- **touches**: it is a Kivy input provider, like a touchscreen's driver. A touch is queued as a ``begin``
  event at a window position and an ``end`` event later; Kivy's own event loop dispatches them (post-processing,
  the window, every widget's ``on_touch_*``), on the real Kivy clock;
- **looks**: the current screen's name (the ScreenManager's ``current``), the words of every visible label
  and button, a screenshot of the window.

It never calls an application method or moves a clock. Requests and replies are JSON lines on the socket; one
request at a time. Every reply after a step carries what the screen shows then.
"""

from __future__ import annotations

import collections
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

FD_ENV = "ENCORE_JOURNEY_FD"
MAIN_TIMEOUT_S = 10.0
_MARKUP = re.compile(r"\[/?[a-z_]+(=[^\]]*)?\]")
_SPACES = re.compile(r"\s+")


def start_from_env() -> None:
    """Start the agent when this process was given a socket by the test; children never inherit it."""
    fd = os.environ.pop(FD_ENV, None)
    if fd is None:
        return
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.abspath(p) != here]
    if rest:
        os.environ["PYTHONPATH"] = os.pathsep.join(rest)
    else:
        os.environ.pop("PYTHONPATH", None)
    os.set_inheritable(int(fd), False)
    sock = socket.socket(fileno=int(fd))
    threading.Thread(target=Agent(sock).run, name="journey-agent", daemon=True).start()


def clean_text(text: str) -> str:
    """Label text as a person reads it: markup tags removed, runs of white space as one space."""
    return _SPACES.sub(" ", _MARKUP.sub("", text)).strip()


class Agent:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.touches: dict[int, Any] = {}
        self.queue: collections.deque[tuple[str, Any]] = collections.deque()
        self.clock: Any = None
        self.window: Any = None

    # --- the socket thread ------------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._wait_for_app()
            self._on_main(self._install)
            self._send({"event": "ready", "seen": self._after_frames(3, self.observe)})
            for line in self.sock.makefile("r", encoding="utf-8"):
                request = json.loads(line)
                try:
                    reply = {"id": request.get("id"), "ok": True, **self._handle(request)}
                except (
                    Exception
                ) as exc:  # a failed step is reported to the journey, never raised in the kiosk
                    reply = {"id": request.get("id"), "ok": False, "error": f"{type(exc).__name__}: {exc}"}
                self._send(reply)
        except (OSError, ValueError):
            return  # the test went away

    def _send(self, message: dict[str, Any]) -> None:
        self.sock.sendall((json.dumps(message) + "\n").encode("utf-8"))

    def _wait_for_app(self) -> None:
        """Until Kivy's App runs and has built its screens (polled: this thread may not import Kivy first)."""
        while True:
            try:
                app_class = getattr(sys.modules.get("kivy.app"), "App", None)
                app = app_class.get_running_app() if app_class is not None else None
                if app is not None and app.root is not None:
                    self.clock = sys.modules["kivy.clock"].Clock
                    self.window = sys.modules["kivy.base"].EventLoop.window
                    if self.window is not None:
                        return
            except (AttributeError, KeyError):
                # the main thread may be half-way through importing kivy.app (a partially
                # initialised module): look again on the next poll
                pass
            time.sleep(0.05)

    def _on_main(self, fn: Callable[[], Any], timeout_s: float = MAIN_TIMEOUT_S) -> Any:
        """Run ``fn`` on Kivy's main loop (between frames) and return its result."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def call(_dt: float) -> None:
            try:
                box["value"] = fn()
            except Exception as exc:
                box["error"] = exc
            done.set()

        self.clock.schedule_once(call, 0)
        if not done.wait(timeout_s):
            raise TimeoutError(f"the kiosk's main loop did not answer within {timeout_s:.0f} s")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _after_frames(self, frames: int, fn: Callable[[], Any]) -> Any:
        """``fn`` on the main loop once ``frames`` more frames have run (what was queued has been handled)."""
        for _ in range(frames - 1):
            self._on_main(lambda: None)
        return self._on_main(fn)

    # --- requests ---------------------------------------------------------------------------------------------

    def _handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "observe":
            return {"seen": self._on_main(self.observe)}
        if op == "find":
            return {"target": self._on_main(lambda: self.find(request["words"], request.get("nth")))}
        if op == "down":
            if "words" in request:
                target = self._on_main(lambda: self.find(request["words"], request.get("nth")))
                x, y = target["center"]
            else:
                target, x, y = None, float(request["x"]), float(request["y"])
            touch_id = self._on_main(lambda: self._queue_touch("begin", None, x, y))
            return {"touch": touch_id, "target": target, "seen": self._after_frames(2, self.observe)}
        if op == "up":
            self._on_main(lambda: self._queue_touch("end", int(request["touch"])))
            return {"seen": self._after_frames(2, self.observe)}
        if op == "wait":
            return self._wait(request)
        if op == "screenshot":
            return {"path": self._after_frames(2, lambda: self._screenshot(request["path"]))}
        raise ValueError(f"unknown request {op!r}")

    def _wait(self, request: dict[str, Any]) -> dict[str, Any]:
        """Check every frame until the screen shows what is asked (or the time is up): an event, not a sleep."""
        words = [clean_text(w).casefold() for w in request.get("words", ())]
        gone = [clean_text(w).casefold() for w in request.get("gone", ())]
        screen = request.get("screen")
        timeout_s = float(request.get("timeout_s", 5.0))
        done = threading.Event()
        box: dict[str, Any] = {}
        deadline = time.monotonic() + timeout_s

        def check(_dt: float) -> None:
            seen = self.observe()
            text = "\n".join(seen["words"]).casefold()
            met = (
                all(w in text for w in words)
                and not any(g in text for g in gone)
                and (screen is None or seen["screen"] == screen)
            )
            if met or time.monotonic() >= deadline:
                box["met"], box["seen"] = met, seen
                event = box.get("event")
                if event is not None:
                    event.cancel()
                done.set()

        def begin() -> None:
            box["event"] = self.clock.schedule_interval(check, 0)

        self._on_main(begin)
        if not done.wait(timeout_s + MAIN_TIMEOUT_S):
            raise TimeoutError("the kiosk's main loop stopped drawing frames")
        return {"met": box["met"], "seen": box["seen"]}

    # --- on the main loop -------------------------------------------------------------------------------------

    def _install(self) -> None:
        from kivy.base import EventLoop
        from kivy.input.motionevent import MotionEvent
        from kivy.input.provider import MotionEventProvider

        agent = self

        class JourneyTouch(MotionEvent):
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, **kwargs)
                self.profile = ["pos"]

            def depack(self, args: Any) -> None:
                self.sx, self.sy = args
                super().depack(args)

        class JourneyFinger(MotionEventProvider):
            """A touchscreen whose finger is the journey: events wait in a queue for the next frame."""

            def update(self, dispatch_fn: Callable[[str, Any], None]) -> None:
                while agent.queue:
                    etype, touch = agent.queue.popleft()
                    dispatch_fn(etype, touch)

        self.touch_class = JourneyTouch
        provider = JourneyFinger("journey", None)
        EventLoop.add_input_provider(provider)
        provider.start()

    def _queue_touch(self, etype: str, touch_id: int | None, x: float = 0.0, y: float = 0.0) -> int:
        w, h = self.window.size
        if etype == "begin":
            touch_id = max(self.touches, default=0) + 1
            args = (x / max(1.0, w - 1.0), y / max(1.0, h - 1.0))
            touch = self.touch_class("journey", touch_id, args, is_touch=True, type_id="touch")
            self.touches[touch_id] = touch
        else:
            assert touch_id is not None
            touch = self.touches.pop(touch_id)
        self.queue.append((etype, touch))
        return touch_id

    def observe(self) -> dict[str, Any]:
        """What a person sees now: the screen's name, the words shown (top to bottom), the buttons."""
        words: list[tuple[float, float, str, list[int]]] = []
        buttons = []
        for widget in self._visible_widgets():
            if _is_button(widget):
                x0, y0, x1, y1 = _rect(widget)
                buttons.append(
                    {
                        "word": _shown(widget),
                        "enabled": bool(getattr(widget, "enabled", True)) and not widget.disabled,
                        "selected": bool(getattr(widget, "selected", False)),
                        "rect": [round(x0), round(y0), round(x1), round(y1)],
                    }
                )
            text = _label_text(widget)
            if text:
                x0, y0, x1, y1 = _rect(widget)
                words.append((-y1, x0, text, [round(x0), round(y0), round(x1), round(y1)]))
        words.sort()
        return {
            "screen": self._screen_name(),
            "words": [t for _y, _x, t, _r in words],
            "labels": [{"text": t, "rect": r} for _y, _x, t, r in words],
            "buttons": buttons,
            "window": list(self.window.size),
            "mono_s": time.monotonic(),
        }

    def find(self, words: str, nth: int | None = None) -> dict[str, Any]:
        """The visible button (else label) showing ``words``: the exact text first, then one containing it."""
        wanted = clean_text(words).casefold()
        candidates = []
        for widget in self._visible_widgets():
            text = _shown(widget).casefold()
            if not text:
                continue
            rank = 0 if text == wanted else (2 if wanted in text else None)
            if rank is None:
                continue
            if not _is_button(widget):
                rank += 1  # a button's own word beats a label saying the same
            candidates.append((rank, widget))
        if not candidates:
            raise LookupError(f"nothing on screen says {words!r}; shown: {self.observe()['words']}")
        best = min(rank for rank, _w in candidates)
        matches = [w for rank, w in candidates if rank == best]
        if nth is None and len(matches) > 1:
            raise LookupError(f"{len(matches)} things on screen say {words!r}: pass nth to pick one")
        widget = matches[nth or 0]
        x0, y0, x1, y1 = _rect(widget)
        return {
            "words": _shown(widget),
            "kind": type(widget).__name__,
            "center": [(x0 + x1) / 2, (y0 + y1) / 2],
            "rect": [x0, y0, x1, y1],
        }

    def _screen_name(self) -> str:
        from kivy.uix.screenmanager import ScreenManager

        for widget in self._walk(self.window):
            if isinstance(widget, ScreenManager):
                return str(widget.current)
        return ""

    def _screenshot(self, path: str) -> str:
        base, ext = os.path.splitext(path)
        written = self.window.screenshot(name=base + (ext or ".png"))
        os.replace(written, path)
        return path

    def _walk(self, widget: Any) -> list[Any]:
        out = []
        stack = list(reversed(widget.children))
        while stack:
            w = stack.pop()
            out.append(w)
            stack.extend(reversed(w.children))
        return out

    def _visible_widgets(self) -> list[Any]:
        """Widgets a person can see: every ancestor opaque enough, some size, and inside the window."""
        out = []
        win_w, win_h = self.window.size

        def visit(widget: Any) -> None:
            if getattr(widget, "opacity", 1.0) <= 0.01 or widget.width <= 1 or widget.height <= 1:
                return
            x0, y0, x1, y1 = _rect(widget)
            if x1 > 0 and y1 > 0 and x0 < win_w and y0 < win_h:
                out.append(widget)
            for child in reversed(widget.children):
                visit(child)

        for top in reversed(self.window.children):
            visit(top)
        return out


def _rect(widget: Any) -> tuple[float, float, float, float]:
    x0, y0 = widget.to_window(widget.x, widget.y)
    return x0, y0, x0 + widget.width, y0 + widget.height


def _is_button(widget: Any) -> bool:
    """Something made to be touched: a word button (``word`` + ``action``) or a Kivy button."""
    if isinstance(getattr(widget, "word", None), str) and hasattr(widget, "action"):
        return True
    return any(cls.__name__ == "ButtonBehavior" for cls in type(widget).__mro__)


def _shown(widget: Any) -> str:
    """The words a button or label shows."""
    word = getattr(widget, "word", None)
    if isinstance(word, str) and _is_button(widget):
        return clean_text(word)
    return _label_text(widget)


def _label_text(widget: Any) -> str:
    from kivy.uix.label import Label

    if not isinstance(widget, Label):
        return ""
    return clean_text(widget.text or "")
