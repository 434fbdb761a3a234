"""Drive the kiosk UI without a screen (SDL offscreen): for tests, screenshots and the bench.

One window size and DPI per process (Kivy has one window): :func:`start` configures Kivy, opens the window
at ``width`` x ``height`` and builds the UI over the demo session control with a hand-moved clock.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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

    def run_for(self, seconds: float) -> None:
        """Draw frames for ``seconds`` of real time: Kivy's own timers (the staff corner's) run meanwhile."""
        import time

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.frame()

    def screen(self) -> str:
        return str(self.ui.sm.current)

    def tap(self, widget: Any, *, hold_s: float = 0.0) -> None:
        """A single touch on the widget's centre (down, then up), in window coordinates. A frame is drawn
        first (no hand is faster than the screen), so the layout is where a person would see it."""
        from kivy.tests import UnitTestTouch

        self.frame()
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        if hold_s:  # the hold is measured on the hand clock; the corner's Kivy timer runs in real time
            self.clock.advance(hold_s)
            self.run_for(3 * self.ui.corner.TICK_S)
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
    """Open the offscreen window at this size and build a UI in it (once per process)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    from kiosk.config import DisplayConfig
    from kiosk.ui.kivy_setup import configure_kivy

    configure_kivy(DisplayConfig(dpi=dpi, width=width, height=height, fullscreen=False), windowed=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window

    Window.size = (width, height)
    Window.clearcolor = theme.BACKGROUND
    EventLoop.ensure_window()
    return build(Window, dpi, kiosk_mode=kiosk_mode, pin_hash=pin_hash, residents=residents)


def build(
    window: Any, dpi: float, *, kiosk_mode: str = "lounge", pin_hash: str = "", residents: int | None = None
) -> Harness:
    """A fresh UI (demo control, hand clock) in ``window``, replacing the one shown before."""
    from kiosk.config import Config, DisplayConfig, KioskConfig, KioskMode
    from kiosk.devtools.demo import DemoResidentStore, DemoSessionControl, DemoStaffActions, demo_residents
    from kiosk.ui.app import KioskUI

    width, height = window.size
    config = Config(
        display=DisplayConfig(dpi=dpi, width=width, height=height, fullscreen=False),
        kiosk=KioskConfig(mode=KioskMode(kiosk_mode), staff_pin_hash=pin_hash),
    )
    for child in list(window.children):
        window.remove_widget(child)
    clock = HandClock()
    data_dir = Path(tempfile.mkdtemp(prefix="encore-ui-"))
    control = DemoSessionControl(now=clock, lyrics_dir=data_dir)
    people = demo_residents()
    if residents is not None:
        people = tuple(replace(people[i % len(people)], resident_id=f"r{i}") for i in range(residents))
    (data_dir / "photos").mkdir()
    _write_png(data_dir / "photos" / "portrait.png", 96, 96)
    people = (replace(people[0], photo="photos/portrait.png"), *people[1:])
    store = DemoResidentStore(people)
    staff = DemoStaffActions(control, store, delay_s=0.0)

    class _Trusted:
        trust = True

        def now(self) -> Any:
            from datetime import UTC, datetime

            return datetime(2026, 6, 1, 9, 30, tzinfo=UTC)

        def monotonic(self) -> float:
            return clock()

        def trusted(self) -> bool:
            return self.trust

    ui = KioskUI(config, control, store, staff, data_dir=data_dir, clock=_Trusted(), now=clock)
    window.add_widget(ui.root)
    ui.root.size = window.size
    harness = Harness(ui, control, staff, clock, window, data_dir)
    harness.frame(3)
    return harness


def _write_png(path: Path, width: int, height: int) -> None:
    """A stand-in portrait (soft gradient with a round face): no real person's photo in tests."""
    import struct
    import zlib

    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            inside = (x - width / 2) ** 2 + (y - height * 0.42) ** 2 < (width * 0.22) ** 2
            body = y > height * 0.68 and abs(x - width / 2) < width * 0.32
            shade = 90 if inside or body else 200 + y // 4 % 40
            row += bytes((shade, shade - 20 if shade > 100 else shade, 120 if shade > 100 else 70))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    path.write_bytes(png)


def visit_all(h: Harness) -> Iterator[tuple[str, bool]]:
    """Go to every screen in turn; yields (name, resident_facing) with that screen showing and drawn."""
    from kiosk.domain.intents import Status
    from kiosk.domain.models import Mode

    def settle() -> None:
        h.frame(3)

    h.control.show(Status.IDLE)
    h.ui.router.picker_open = False
    h.ui.refresh()
    settle()
    yield "idle", True
    h.ui.router.picker_open = True
    h.ui.refresh()
    settle()
    yield "residents", True
    h.ui.residents.presenter.page = 1
    h.ui.residents.refresh()
    settle()
    yield "residents-page2", True
    # every registered mode's panel (a new mode shows up here by itself), with a demo song that suits it
    suits = {Mode.RELAX: [(0, 30_000)], Mode.MOVE: [(4, 20_000)], Mode.SING: [(2, 7_000), (5, 50_000)],
             Mode.PLAY_ALONG: [(4, 20_000)]}  # fmt: skip
    for mode in Mode:
        for song, pos in suits.get(mode, [(1, 30_000)]):
            h.control.show(Status.PLAYING, mode=mode, song=song, position_ms=pos)
            settle()
            suffix = "" if mode is Mode.LISTEN else f"-{mode}" + ("-paged" if song == 5 else "")
            yield f"now_playing{suffix}", True
    h.control.show(Status.PAUSED, mode=Mode.LISTEN, song=4, position_ms=3_000)
    h.ui.now_playing.press("like")
    h.clock.advance(1)
    settle()
    yield "now_playing-paused-liked", True
    h.ui.now_playing.feedback = ""  # the word of the last touch has gone: "Paused" shows, large
    h.control.show(Status.PAUSED, mode=Mode.LISTEN, song=1, position_ms=3_000)
    settle()
    yield "now_playing-paused", True
    h.control.show(Status.PAUSED, mode=Mode.SING, song=2, position_ms=7_000)
    settle()
    yield "now_playing-sing-paused", True
    h.control.show(Status.PLAYING, mode=Mode.LISTEN, song=1, position_ms=4_000)
    for _ in range(6):  # up to the resident's limit, and once more
        h.ui.now_playing.press("louder")
    settle()
    yield "now_playing-at-limit", True
    h.control.show(Status.ENDED)
    settle()
    yield "session_end", True
    h.control.show(Status.CALM)
    settle()
    yield "calm", True
    h.ui.modes_presenter.play_along_songs = lambda: 3  # songs with a beat grid: the fifth tile shows
    h.ui.open_modes()
    settle()
    yield "modes", True
    h.ui.router.modes_open = False
    h.ui.open_staff_pin()
    settle()
    yield "staff_pin", False
    h.ui._staff_ok()
    first = h.ui.staff_screen.presenter.residents()[0].resident_id
    h.control.show(Status.ENDED, resident_ids=(first,))  # the observation form is about this session
    from kiosk.app.staff_api import ReviewItem
    from kiosk.ui.screens.staff_presenter import PANELS

    h.control.reviews.append(ReviewItem("rv1", "r1", "Peggy", "In the Mood", "Glenn Miller",
                                        "2026-06-01T08:40:00+00:00"))  # fmt: skip
    h.ui.staff_screen.presenter.state.usb_candidates = ("/media/kiosk-usb/KINGSTON/residents.csv",)
    staff = h.ui.staff_screen.presenter
    staff.open_menu()
    settle()
    yield "staff-menu", False
    for panel in PANELS:
        if panel == "session":  # a song playing for someone: what staff see before stopping it as upsetting
            h.control.show(Status.PLAYING, mode=Mode.LISTEN, song=3, resident_ids=(first,))
        staff.open_panel(panel)
        h.frame(2)
        if panel == "session":
            settle()
            yield "staff-session", False
            # "Restless now" three times for one resident: the calm-ahead proposal shows
            staff.state.selected = {first}
            for _ in range(3):
                staff.restless(False)
            wait_for(h, lambda: bool(staff.state.proposal))
            settle()
            yield "staff-session-restless", False
            staff.state.selected = set()
            staff.state.proposal = staff.state.proposal_for = ""
            staff.state.note = ""
            staff.pick_mode(Mode.PLAY_ALONG)  # Play along with nobody chosen: "Start a drumming circle"
            settle()
            yield "staff-session-drumming", False
            staff.pick_mode(Mode.PLAY_ALONG)
            h.control.show(Status.ENDED, resident_ids=(first,))
            continue
        if panel == "usb":  # checked, and stopped on changes that lower safety: the second confirmation
            settle()
            yield "staff-usb", False
            from kiosk.app.staff_api import ImportResult

            staff.state.usb_path = staff.state.usb_candidates[0]
            staff.state.usb_confirm = True
            staff.state.usb_result = ImportResult(False, 0, ("x",), needs_confirmation=True)
            staff.state.note = ("Not imported yet: 1 change(s) lower safety (listed below). Check them, then "
                                "confirm them to import.\nArthur: volume limit 60% -> 90%")  # fmt: skip
            staff.on_change()
            settle()
            yield "staff-usb-confirm", False
            continue
        if panel == "reports":  # the charts are drawn by a worker: show them, home-wide and for one person
            staff.pick_report_period("7d")
            wait_for_report(h)
            yield "staff-reports", False
            staff.pick_report_who(staff.residents()[0].resident_id)
            wait_for_report(h)
            yield "staff-reports-resident", False
            for w in walk(h.ui.staff_screen.ids.content):
                if hasattr(w, "scroll_y"):
                    w.scroll_y = 0  # slid to the end: the charts
            h.frame(3)
            yield "staff-reports-charts", False
            staff.pick_report_period("today")
            staff.pick_report_who(None)
            wait_for_report(h)
            continue
        settle()
        yield f"staff-{panel}", False
    h.ui.leave_staff()
    settle()


def wait_for(h: Harness, done: Any, timeout_s: float = 10.0) -> bool:
    """Draw frames until ``done()`` (a worker's answer came back through the main loop)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        h.frame()
        if done():
            return True
        time.sleep(0.01)
    return False


def wait_for_report(h: Harness, timeout_s: float = 60.0) -> bool:
    """Draw frames until the staff screen's report worker is done and its charts are on screen."""
    import time

    presenter = h.ui.staff_screen.presenter
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        h.frame()
        if not presenter.state.report_loading and (presenter.report_shown() or presenter.state.report_error):
            h.frame(3)
            return True
        time.sleep(0.01)  # the worker thread renders meanwhile
    return False


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


def walk(widget: Any) -> list[Any]:
    """The widget and all its descendants."""
    out = [widget]
    for child in widget.children:
        out += walk(child)
    return out


def resident_targets(screen: Any) -> list[Any]:
    """The visible resident touch targets on a screen."""
    return [w for w in walk(screen) if getattr(w, "resident_target", False) and _visible(w)]


def resident_choices(screen: Any) -> int:
    """How many choices a resident has on a screen: targets, a group of them (Play along's pads) as one."""
    return len({getattr(t, "choice_group", "") or id(t) for t in resident_targets(screen)})


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
    height (title >= 6 mm), no text cut off, no two buttons overlapping (staff screens too)."""
    from kivy.uix.label import Label

    problems: list[Problem] = []
    widgets = [w for w in walk(screen) if _visible(w)]
    targets = [w for w in widgets if getattr(w, "resident_target", False)]
    if resident_facing:
        choices = len({getattr(t, "choice_group", "") or id(t) for t in targets})  # a pad row is one choice
        if choices > 5:
            problems.append(Problem(name, "choices", f"{choices} resident choices (max 5)"))
        rects = []
        for t in targets:
            w_mm, h_mm = units.to_mm(t.width), units.to_mm(t.height)
            if w_mm < theme.TARGET_MM - 0.05 or h_mm < theme.TARGET_MM - 0.05:
                problems.append(Problem(name, "target", f"'{t.word}' is {w_mm:.1f} x {h_mm:.1f} mm (min 22)"))
            rects.append((t, _window_rect(t)))
            outer = _window_rect(t)
            for inner in walk(t)[1:]:
                if not _visible(inner) or not (getattr(inner, "text", "") or getattr(inner, "name", "")):
                    continue
                r = _window_rect(inner)
                if r[0] < outer[0] - 1 or r[1] < outer[1] - 1 or r[2] > outer[2] + 1 or r[3] > outer[3] + 1:
                    problems.append(
                        Problem(name, "overflow", f"content of '{t.word}' sticks out of the button")
                    )
                    break
        for i, (a, ra) in enumerate(rects):
            for b, rb in rects[i + 1 :]:
                gap = units.to_mm(_gap_px(ra, rb))
                if gap < theme.GAP_MM - 0.05:
                    problems.append(
                        Problem(name, "gap", f"'{a.word}' and '{b.word}' {gap:.1f} mm apart (min 6)")
                    )
    buttons = [(w, _window_rect(w)) for w in widgets if getattr(w, "action", None) is not None and w.word]
    for i, (a, ra) in enumerate(buttons):  # every screen, staff ones too: a squeezed layout overlaps buttons
        for b, rb in buttons[i + 1 :]:
            if min(ra[2], rb[2]) - max(ra[0], rb[0]) > 1 and min(ra[3], rb[3]) - max(ra[1], rb[1]) > 1:
                problems.append(Problem(name, "overlap", f"'{a.word}' and '{b.word}' overlap"))
    for label in widgets:
        if not isinstance(label, Label) or not label.text.strip():
            continue
        ratio = theme.contrast(tuple(label.color), _background_of(label))
        if ratio < 7.0:
            problems.append(Problem(name, "contrast", f"'{label.text[:30]}' {ratio:.2f}:1 (min 7)"))
        cap_mm = units.to_mm(label.font_size) * units.CAP_HEIGHT_RATIO
        if resident_facing and cap_mm < theme.LABEL_CAP_MM - 0.25:
            problems.append(Problem(name, "text", f"'{label.text[:30]}' cap height {cap_mm:.1f} mm (min 4)"))
        parent = label.parent
        if parent is not None and parent is not label and hasattr(parent, "to_window"):
            lr, pr = _window_rect(label), _window_rect(parent)
            if lr[1] < pr[1] - 2 or lr[3] > pr[3] + 2 or lr[0] < pr[0] - 2 or lr[2] > pr[2] + 2:
                problems.append(Problem(name, "overflow", f"'{label.text[:30]}' sticks out of its box"))
        label.texture_update()
        tw, th = label.texture_size
        th = max(th, natural_height(label))  # a box-sized text_size crops glyphs: measure what it needs
        if tw > label.width + 2 or th > label.height + 2:
            problems.append(
                Problem(name, "cut-off", f"'{label.text[:30]}' needs {tw:.0f}x{th:.0f} px, has "
                        f"{label.width:.0f}x{label.height:.0f}")
            )  # fmt: skip
    return problems


def natural_height(label: Any) -> float:
    """The height ``label``'s text needs at its width, whatever its ``text_size`` crops to (lines beyond
    ``max_lines``, or past one when shortened, are not shown and so not needed)."""
    from kivy.core.text import Label as CoreLabel

    if not label.text or label.width <= 1:
        return 0.0
    one_line = label.shorten or label.max_lines == 1
    core = CoreLabel(text=label.text, font_size=label.font_size, font_name=label.font_name, bold=label.bold,
                     italic=label.italic, halign=label.halign, line_height=label.line_height,
                     max_lines=1 if one_line else label.max_lines, shorten=label.shorten,
                     text_size=(label.text_size[0] or None, None), padding=label.padding)  # fmt: skip
    core.refresh()
    return float(core.texture.height) if core.texture is not None else 0.0


def title_cap_mm(harness: Harness) -> float:
    label = harness.ui.now_playing.ids.title
    return units.to_mm(label.font_size) * units.CAP_HEIGHT_RATIO
