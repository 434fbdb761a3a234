"""Steps several journeys share: what staff do to get into staff mode, and where a slider sits on screen."""

from __future__ import annotations

from tests.acceptance.conftest import STAFF_PIN
from tests.acceptance.kiosk_process import KioskProcess, Seen


def open_staff(kiosk: KioskProcess) -> Seen:
    """Hold the top-left corner, type the PIN: the staff screen."""
    kiosk.hold_corner(mm=5, seconds=3.5)
    for digit in STAFF_PIN:
        kiosk.touch(digit)
    kiosk.touch("OK")
    return kiosk.wait_for_screen("staff", timeout_s=8)


def open_panel(kiosk: KioskProcess, title: str) -> Seen:
    """From any staff panel: the staff menu, then the panel called ``title``."""
    kiosk.touch("Staff menu")
    return kiosk.touch(title)


def touch_px(kiosk: KioskProcess, x_px: float, y_px: float) -> Seen:
    """A touch at a point given in window pixels (Kivy's: y grows upwards), e.g. on a slider's track."""
    per_mm = kiosk.px_per_mm
    return kiosk.touch_at_mm(x_px / per_mm, y_px / per_mm, corner="bottom-left")
