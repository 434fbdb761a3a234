"""The kiosk App: screens under one ScreenManager, the router, the session pump and staff mode.

:func:`build_ui` builds the widget tree without starting an App (tests and screenshots drive it headless);
:func:`build_app` wraps it in the Kivy App that ``kiosk run`` starts. Call
:func:`kiosk.ui.kivy_setup.configure_kivy` first: Kivy reads its window settings when the window opens.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.app.staff_api import StaffActions
from kiosk.domain.intents import SessionView
from kiosk.domain.pin_guard import LockoutStore
from kiosk.domain.ports import Clock as KioskClock
from kiosk.domain.ports import ResidentStore, SessionControl
from kiosk.ui import i18n, router, theme, units
from kiosk.ui.pin_check import PinGuard
from kiosk.ui.touch import TapFilter
from kiosk.ui.widgets import ScreenRoot, StaffCorner, set_tap_filter

HERE = Path(__file__).resolve().parent
PUMP_HZ = 20
_kv_loaded = False


_kv_loaded_names: set[str] = set()
CORE_SCREENS = ("idle", "residents", "now_playing", "session_end", "calm")


def load_kv(*names: str) -> None:
    """Load the shared .kv and the named screens' .kv files, each once per process (staff screens load on
    first use, which keeps the residents' first screen quick to appear)."""
    global _kv_loaded
    if not _kv_loaded:
        from kiosk.ui import icons  # noqa: F401  (registers Icon with the Factory)

        Builder.load_file(str(HERE / "widgets.kv"))
        _kv_loaded = True
    for name in names:
        if name not in _kv_loaded_names:
            Builder.load_file(str(HERE / "screens" / f"{name}.kv"))
            _kv_loaded_names.add(name)


def run_in_background(fn: Callable[[], object], done: Callable[[object], None]) -> None:
    """Run ``fn`` on a worker thread; ``done(result or exception)`` runs on the main loop."""

    def work() -> None:
        try:
            result: object = fn()
        except Exception as exc:  # handed to the screen as a message, never raised on the UI thread
            result = exc
        Clock.schedule_once(lambda _dt: done(result), 0)

    threading.Thread(target=work, name="ui-worker", daemon=True).start()


class FallbackClock:
    """Stand-in kiosk clock when none is given (trusted = after 2024); kiosk run passes the real one."""

    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def trusted(self) -> bool:
        return self.now().year >= 2024


class KioskUI:
    """The whole touch UI over a :class:`SessionControl`, without the App (so tests can drive it)."""

    def __init__(
        self,
        config: Any,
        control: SessionControl,
        residents: ResidentStore,
        staff: StaffActions,
        *,
        data_dir: Path,
        clock: KioskClock | None = None,
        now: Callable[[], float] = time.monotonic,
        run_bg: Callable[[Callable[[], object], Callable[[object], None]], None] = run_in_background,
        demo_pin_hint: str = "",
        language: str | None = None,
        covers: Callable[[str, str | None], str | None] | None = None,
        pin_lockout: LockoutStore | None = None,
        play_along_songs: Callable[[], int] = lambda: 0,
        last_listened: Callable[[], Mapping[str, str]] = dict,
    ):
        from kiosk.ui.screens.calm import CalmScreen
        from kiosk.ui.screens.calm_presenter import CalmPresenter
        from kiosk.ui.screens.idle import IdleScreen
        from kiosk.ui.screens.idle_presenter import IdlePresenter
        from kiosk.ui.screens.modes_presenter import ModesPresenter
        from kiosk.ui.screens.now_playing import NowPlayingScreen
        from kiosk.ui.screens.now_playing_presenter import NowPlayingPresenter
        from kiosk.ui.screens.residents import ResidentsScreen
        from kiosk.ui.screens.residents_presenter import ResidentsPresenter
        from kiosk.ui.screens.session_end import SessionEndScreen
        from kiosk.ui.screens.session_end_presenter import SessionEndPresenter

        i18n.set_language(language)
        units.set_dpi(config.display.dpi)
        self.tap_filter = TapFilter(now=now)  # the tremor rule: kiosk.domain.controls.REPEAT_S
        set_tap_filter(self.tap_filter)
        load_kv(*CORE_SCREENS)
        self.config = config
        self.run_bg = run_bg
        self.demo_pin_hint = demo_pin_hint
        self.control = control
        self.staff = staff
        self.now = now
        self.router = router.Router(kiosk_mode=config.kiosk.mode)
        self.last_touch_s = now()
        clock = clock or FallbackClock()

        self.sm = ScreenManager(transition=NoTransition())
        self.idle = IdleScreen(presenter=IdlePresenter(control, self.router, clock, self.refresh))
        self.idle.blank_after_s = config.display.blank_when_idle_s
        kiosk_clock = clock
        self._kiosk_clock = clock

        def minute_of_day() -> int | None:
            if not kiosk_clock.trusted():
                return None
            local = kiosk_clock.now().astimezone()
            return local.hour * 60 + local.minute

        self.residents = ResidentsScreen(
            presenter=ResidentsPresenter(
                control, self.router, residents.all, data_dir, self._refresh_picker,
                room=getattr(config.kiosk, "room", ""), minute_of_day=minute_of_day, last_listened=last_listened,
                now_iso=lambda: kiosk_clock.now().isoformat() if kiosk_clock.trusted() else "",
            )
        )  # fmt: skip
        self.residents.on_give_up = self._close_picker
        self.modes_presenter = ModesPresenter(
            control, Path(config.library.music_dir), self._close_modes, play_along_songs
        )
        self.now_playing = NowPlayingScreen(
            presenter=NowPlayingPresenter(control, self.refresh),
            modes=self.modes_presenter,
            now_s=now,
            covers=covers,
            run_bg=run_bg,
        )
        self.session_end = SessionEndScreen(presenter=SessionEndPresenter(control))
        self.calm = CalmScreen(presenter=CalmPresenter())
        self.guard = PinGuard(now, on_event=staff.note_staff_event, store=pin_lockout)
        self._lazy: dict[str, Any] = {}
        for screen in (self.idle, self.residents, self.now_playing, self.session_end, self.calm):
            self.sm.add_widget(screen)

        self.root = ScreenRoot()
        self.root.add_widget(self.sm)
        corner = units.mm(theme.STAFF_CORNER_MM)
        self.corner = StaffCorner(now=now, size_hint=(None, None), size=(corner, corner))
        self.corner.on_hold = self.open_staff_pin
        self.root.bind(size=self._place_corner)
        self.root.add_widget(self.corner)
        self.root.bind(on_touch_down=self._any_touch)
        control.subscribe(self._on_view)
        self.refresh()

    # --- screens built on first use (staff and mode tiles) ---
    def _screen(self, name: str) -> Any:
        if name in self._lazy:
            return self._lazy[name]
        load_kv(name, *(("staff_voice", "staff_clock") if name == router.STAFF else ()))
        if name == router.MODES:
            from kiosk.ui.screens.modes import ModesScreen

            screen = ModesScreen(presenter=self.modes_presenter)
        elif name == router.STAFF_PIN:
            from kiosk.ui.screens.staff_pin import StaffPinScreen
            from kiosk.ui.screens.staff_pin_presenter import StaffPinPresenter

            screen = StaffPinScreen(
                presenter=StaffPinPresenter(
                    self.config.kiosk.staff_pin_hash, self.guard, self.run_bg, on_ok=self._staff_ok,
                    on_cancel=self.leave_staff, on_change=lambda: screen.refresh(), demo_hint=self.demo_pin_hint,
                )
            )  # fmt: skip
        elif name == router.STAFF:
            from kiosk.ui.screens.staff import StaffScreen
            from kiosk.ui.screens.staff_presenter import StaffPresenter

            presenter = StaffPresenter(
                self.staff, self.run_bg, lambda: screen.refresh(), lambda: self.control.view().message,
                now_view=self.control.view, now=lambda: self._kiosk_clock.now(),
            )  # fmt: skip
            screen = StaffScreen(presenter=presenter)
            screen.on_leave_staff = self.leave_staff
            screen.on_open_modes = self.open_modes
        else:
            raise KeyError(name)
        self._lazy[name] = screen
        self.sm.add_widget(screen)
        return screen

    @property
    def modes(self) -> Any:
        return self._screen(router.MODES)

    @property
    def staff_pin(self) -> Any:
        return self._screen(router.STAFF_PIN)

    @property
    def staff_screen(self) -> Any:
        return self._screen(router.STAFF)

    # --- routing ---
    def _place_corner(self, *_args: object) -> None:
        self.corner.pos = (0, self.root.height - self.corner.height)

    def _any_touch(self, *_args: object) -> None:
        self.last_touch_s = self.now()

    def _on_view(self, view: SessionView) -> None:
        self.refresh(view)

    def refresh(self, view: SessionView | None = None) -> None:
        view = view or self.control.view()
        name = self.router.screen_for(view)
        if name not in router.CORE:
            self._screen(name)
        if self.sm.current != name:
            self.sm.current = name
        if name == router.NOW_PLAYING:
            self.now_playing.show(view)

    def _refresh_picker(self) -> None:
        if self.sm.current == router.RESIDENTS:
            self.residents.refresh()
        else:
            self.refresh()

    def _close_picker(self) -> None:
        self.router.picker_open = False
        self.refresh()

    def open_modes(self) -> None:
        self.router.staff = "off"
        self.router.modes_open = True
        self.refresh()

    def _close_modes(self) -> None:
        self.router.modes_open = False
        self.refresh()

    # --- staff ---
    @property
    def in_staff(self) -> bool:
        return self.router.staff != "off"

    def open_staff_pin(self) -> None:
        if self.router.staff == "off":
            self.router.staff = "pin"
            self.refresh()

    def _staff_ok(self) -> None:
        self.router.staff = "on"
        self.refresh()

    def leave_staff(self) -> None:
        self.router.staff = "off"
        self.refresh()

    def tick(self) -> None:
        """Once a second: staff mode closes after 2 minutes without a touch."""
        if self.in_staff and self.now() - self.last_touch_s >= theme.STAFF_IDLE_S:
            self.leave_staff()


class EncoreApp(App):
    """The Kivy App: pumps the session ~20 times a second, and keeps residents inside the kiosk."""

    title = "Encore"

    def __init__(
        self,
        ui_factory: Callable[[], KioskUI],
        control: SessionControl,
        *,
        locked: bool,
        on_shown: Callable[[EncoreApp], None] | None = None,
        on_stopped: Callable[[EncoreApp], None] | None = None,
        **kw: Any,
    ):
        super().__init__(**kw)
        self._ui_factory = ui_factory
        self.control = control
        self.locked = locked
        self._on_shown = on_shown
        self._on_stopped = on_stopped
        self.ui: KioskUI | None = None
        self.stopping = False
        # SDL would turn SIGTERM/SIGINT into a window close request (which a locked kiosk refuses). Installed
        # before the window opens, these handlers keep the signals ours: systemd and Ctrl+C still stop it.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def build(self) -> Any:
        from kivy.core.window import Window

        Window.clearcolor = theme.BACKGROUND
        self.ui = self._ui_factory()
        Window.bind(on_keyboard=self._on_keyboard, on_request_close=self._on_request_close)
        Clock.schedule_interval(lambda _dt: self.control.pump(), 1 / PUMP_HZ)
        Clock.schedule_interval(lambda _dt: self.ui.tick() if self.ui else None, 1.0)
        # thread-safe: Clock.schedule_once may be called from any thread
        self.control.set_waker(lambda: Clock.schedule_once(lambda _dt: self.control.pump(), 0))
        if self._on_shown is not None:
            on_shown = self._on_shown
            Clock.schedule_once(lambda _dt: on_shown(self), 0)  # after the first frame: the screen shows
        return self.ui.root

    def on_stop(self) -> None:
        if self._on_stopped is not None:
            self._on_stopped(self)

    def _on_signal(self, _signum: int, _frame: Any) -> None:
        self.stopping = True
        Clock.schedule_once(lambda _dt: self.stop(), 0)

    def _staff(self) -> bool:
        return self.ui is not None and self.ui.in_staff

    def _on_keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        # Escape (27), Alt+F4 and friends: swallowed unless staff mode is open or this is a desktop trial.
        return self.locked and not self._staff()

    def _on_request_close(self, *_args: Any, **_kw: Any) -> bool:
        return self.locked and not self._staff() and not self.stopping  # True = refuse to close

    def on_request_close(self, *args: Any, **kwargs: Any) -> bool:
        return self._on_request_close()


def build_app(
    config: Any,
    control: SessionControl,
    residents: ResidentStore,
    staff: StaffActions,
    *,
    data_dir: Path,
    clock: KioskClock | None = None,
    windowed: bool = False,
    demo_pin_hint: str = "",
    pin_lockout: LockoutStore | None = None,
    on_shown: Callable[[EncoreApp], None] | None = None,
    on_stopped: Callable[[EncoreApp], None] | None = None,
    covers: Callable[[str, str | None], str | None] | None = None,
    play_along_songs: Callable[[], int] = lambda: 0,
    last_listened: Callable[[], Mapping[str, str]] = dict,
) -> EncoreApp:
    """The kiosk App over a session control (the real engine from kiosk/wiring.py, or the demo).

    ``covers(song_path, cover_beside)`` finds a song's picture (called off the UI thread)."""

    def factory() -> KioskUI:
        return KioskUI(
            config,
            control,
            residents,
            staff,
            data_dir=data_dir,
            clock=clock,
            demo_pin_hint=demo_pin_hint,
            covers=covers,
            pin_lockout=pin_lockout,
            play_along_songs=play_along_songs,
            last_listened=last_listened,
        )

    return EncoreApp(factory, control, locked=not windowed, on_shown=on_shown, on_stopped=on_stopped)
