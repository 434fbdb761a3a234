"""Drive the kiosk UI without a screen (SDL offscreen): for tests, screenshots and the bench.

One window size and DPI per process (Kivy has one window): :func:`start` configures Kivy, opens the window
at ``width`` x ``height`` and builds the UI over the demo session control with a hand-moved clock.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kiosk.ui import theme, units


class HandClock:
    """Monotonic seconds the caller moves (taps, debounce, long press and lockout become deterministic)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class Problem:
    screen: str
    rule: str
    detail: str


@dataclass
class Harness:
    ui: Any
    control: Any
    staff: Any
    clock: HandClock
    window: Any
    data_dir: Path
    problems: list[Problem] = field(default_factory=list)

    def frame(self, n: int = 1) -> None:
        from kivy.base import EventLoop

        for _ in range(n):
            EventLoop.idle()

    def screen(self) -> str:
        return str(self.ui.sm.current)

    def tap(self, widget: Any, *, hold_s: float = 0.0) -> None:
        """A single touch on the widget's centre (down, then up), in window coordinates."""
        from kivy.tests import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        if hold_s:
            self.clock.advance(hold_s)
            self.ui.corner.check_hold()
        touch.touch_up()

    def touch_at(self, x: float, y: float) -> Any:
        from kivy.tests import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        return touch


def start(
    width: int,
    height: int,
    dpi: float,
    *,
    kiosk_mode: str = "lounge",
    pin_hash: str = "",
    residents: int | None = None,
) -> Harness:
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from kiosk.config import Config, DisplayConfig, KioskConfig
    from kiosk.ui.kivy_setup import configure_kivy

    config = Config(
        display=DisplayConfig(dpi=dpi, width=width, height=height, fullscreen=False),
        kiosk=KioskConfig(mode=kiosk_mode, staff_pin_hash=pin_hash),
    )
    configure_kivy(config.display, windowed=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from kiosk.ui.app import KioskUI
    from kiosk.ui.demo import DemoResidentStore, DemoSessionControl, DemoStaffActions, demo_residents

    Window.size = (width, height)
    Window.clearcolor = theme.BACKGROUND
    EventLoop.ensure_window()
    clock = HandClock()
    data_dir = Path(tempfile.mkdtemp(prefix="encore-ui-"))
    control = DemoSessionControl(now=clock, lyrics_dir=data_dir)
    people = demo_residents()
    if residents is not None:
        people = tuple(replace(people[i % len(people)], resident_id=f"r{i}") for i in range(residents))
    store = DemoResidentStore(people)
    staff = DemoStaffActions(control, store, delay_s=0.0)

    class _Trusted:
        def now(self) -> Any:
            from datetime import UTC, datetime

            return datetime(2026, 6, 1, 9, 30, tzinfo=UTC)

        def monotonic(self) -> float:
            return clock()

        def trusted(self) -> bool:
            return True

    ui = KioskUI(config, control, store, staff, data_dir=data_dir, clock=_Trusted(), now=clock)
    Window.add_widget(ui.root)
    ui.root.size = Window.size
    harness = Harness(ui, control, staff, clock, Window, data_dir)
    harness.frame(3)
    return harness


# --- the measurements (DEMENTIA_UX.md) over the widget tree ---


def _visible(widget: Any) -> bool:
    w = widget
    while w is not None:
        if getattr(w, "opacity", 1) <= 0.01 or w.width <= 1 or w.height <= 1:
            return False
        parent = w.parent
        if parent is w:
            break
        w = parent
    return True


def _walk(widget: Any) -> list[Any]:
    out = [widget]
    for child in widget.children:
        out += _walk(child)
    return out


def _window_rect(widget: Any) -> tuple[float, float, float, float]:
    x0, y0 = widget.to_window(widget.x, widget.y)
    return x0, y0, x0 + widget.width, y0 + widget.height


def _gap_px(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = max(b[0] - a[2], a[0] - b[2], 0.0)
    dy = max(b[1] - a[3], a[1] - b[3], 0.0)
    return (dx * dx + dy * dy) ** 0.5


def _background_of(widget: Any) -> tuple[float, ...]:
    w = widget.parent
    while w is not None and w is not w.parent:
        colour = getattr(w, "bg_color", None)
        if colour is not None and getattr(w, "opacity", 1) > 0.01:
            return tuple(colour)
        w = w.parent
    return tuple(theme.BACKGROUND)


def check_screen(screen: Any, name: str, *, resident_facing: bool = True) -> list[Problem]:
    """Targets >= 22 mm square and >= 6 mm apart, <= 5 resident choices, contrast >= 7:1, text >= 4 mm cap
    height (title >= 6 mm), no text cut off."""
    from kivy.uix.label import Label

    problems: list[Problem] = []
    widgets = [w for w in _walk(screen) if _visible(w)]
    targets = [w for w in widgets if getattr(w, "resident_target", False)]
    if resident_facing:
        if len(targets) > 5:
            problems.append(Problem(name, "choices", f"{len(targets)} resident choices (max 5)"))
        rects = []
        for t in targets:
            w_mm, h_mm = units.to_mm(t.width), units.to_mm(t.height)
            if w_mm < theme.TARGET_MM - 0.05 or h_mm < theme.TARGET_MM - 0.05:
                problems.append(Problem(name, "target", f"'{t.word}' is {w_mm:.1f} x {h_mm:.1f} mm (min 22)"))
            rects.append((t, _window_rect(t)))
        for i, (a, ra) in enumerate(rects):
            for b, rb in rects[i + 1 :]:
                gap = units.to_mm(_gap_px(ra, rb))
                if gap < theme.GAP_MM - 0.05:
                    problems.append(
                        Problem(name, "gap", f"'{a.word}' and '{b.word}' {gap:.1f} mm apart (min 6)")
                    )
    for label in widgets:
        if not isinstance(label, Label) or not label.text.strip():
            continue
        ratio = theme.contrast(tuple(label.color), _background_of(label))
        if ratio < 7.0:
            problems.append(Problem(name, "contrast", f"'{label.text[:30]}' {ratio:.2f}:1 (min 7)"))
        cap_mm = units.to_mm(label.font_size) * units.CAP_HEIGHT_RATIO
        if resident_facing and cap_mm < theme.LABEL_CAP_MM - 0.25:
            problems.append(Problem(name, "text", f"'{label.text[:30]}' cap height {cap_mm:.1f} mm (min 4)"))
        label.texture_update()
        tw, th = label.texture_size
        if tw > label.width + 2 or th > label.height + 2:
            problems.append(
                Problem(name, "cut-off", f"'{label.text[:30]}' needs {tw:.0f}x{th:.0f} px, has "
                        f"{label.width:.0f}x{label.height:.0f}")
            )  # fmt: skip
    return problems


def title_cap_mm(harness: Harness) -> float:
    label = harness.ui.now_playing.ids.title
    return units.to_mm(label.font_size) * units.CAP_HEIGHT_RATIO
