"""The engine side of the systemd watchdog, wrapped around the control the UI pumps."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.domain.intents import Intent, SessionView, Source
from kiosk.domain.ports import SessionControl


class PumpHeartbeat:
    """A :class:`SessionControl` that reports every completed engine pump to ``beat`` (the watchdog's engine
    side): a pump that hangs (a wedged player) stops the beats, and systemd restarts the kiosk."""

    def __init__(self, control: SessionControl, beat: Callable[[], None]):
        self._control = control
        self._beat = beat

    def post(self, intent: Intent, source: Source, arg: object = None) -> None:
        self._control.post(intent, source, arg)

    def view(self) -> SessionView:
        return self._control.view()

    def subscribe(self, listener: Callable[[SessionView], None]) -> None:
        self._control.subscribe(listener)

    def pump(self) -> None:
        self._control.pump()
        self._beat()

    def set_waker(self, waker: Callable[[], None]) -> None:
        self._control.set_waker(waker)
