"""Staff PIN pad: digits in, scrypt check off the UI thread, 5 wrong tries -> 5 minutes locked."""

from __future__ import annotations

import math
from collections.abc import Callable

from kiosk.ui.i18n import _
from kiosk.ui.pin_check import PinGuard, verify_pin

RunInBackground = Callable[[Callable[[], object], Callable[[object], None]], None]
MAX_DIGITS = 8


class StaffPinPresenter:
    def __init__(
        self,
        stored_hash: str,
        guard: PinGuard,
        run_bg: RunInBackground,
        on_ok: Callable[[], None],
        on_cancel: Callable[[], None],
        on_change: Callable[[], None],
        demo_hint: str = "",
    ):
        self.stored_hash = stored_hash
        self.guard = guard
        self.run_bg = run_bg
        self.on_ok = on_ok
        self.on_cancel = on_cancel
        self.on_change = on_change
        self.demo_hint = demo_hint
        self.digits = ""
        self.checking = False
        self.last_wrong = False

    def reset(self) -> None:
        self.digits = ""
        self.checking = False
        self.last_wrong = False

    def masked(self) -> str:
        return " ".join("*" * len(self.digits)) if self.digits else ""

    def message(self) -> str:
        if not self.stored_hash:
            return _("No staff PIN is set. Ask IT to set one (kiosk hash-pin).")
        left = self.guard.locked_for_s()
        if left > 0:
            minutes = max(1, math.ceil(left / 60))
            return _("Too many wrong tries. Try again in {minutes} min.").format(minutes=minutes)
        if self.checking:
            return _("Checking...")
        if self.last_wrong:
            return _("Wrong PIN. Tries left: {n}").format(n=self.guard.max_tries - self.guard.wrong)
        return _("Staff PIN") + (f"  ({self.demo_hint})" if self.demo_hint else "")

    def locked(self) -> bool:
        return self.guard.locked_for_s() > 0 or not self.stored_hash

    def digit(self, d: str) -> None:
        if self.locked() or self.checking or len(self.digits) >= MAX_DIGITS:
            return
        self.digits += d
        self.on_change()

    def delete(self) -> None:
        self.digits = self.digits[:-1]
        self.on_change()

    def cancel(self) -> None:
        self.reset()
        self.on_cancel()

    def submit(self) -> None:
        if self.locked() or self.checking or not self.digits:
            return
        pin, self.digits = self.digits, ""
        self.checking = True
        self.on_change()
        stored = self.stored_hash
        self.run_bg(lambda: verify_pin(pin, stored), self._checked)

    def _checked(self, result: object) -> None:
        self.checking = False
        ok = result is True
        self.guard.record(ok)
        self.last_wrong = not ok
        if ok:
            self.reset()
            self.on_ok()
        self.on_change()
