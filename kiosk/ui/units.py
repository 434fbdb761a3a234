"""Millimetres to pixels at the configured display DPI, so sizes on the glass are honest.

Kivy's own ``mm()`` trusts the DPI SDL reports (often wrong on small panels); Encore takes it from
``config.display.dpi`` instead. Call :func:`set_dpi` once before the .kv files are loaded.
"""

from __future__ import annotations

MM_PER_INCH = 25.4
# Roboto's cap height is 1456/2048 of the em: a font_size in px gives a capital letter this much smaller.
CAP_HEIGHT_RATIO = 1456 / 2048

_dpi = 133.0


def set_dpi(dpi: float) -> None:
    global _dpi
    if not 50 <= dpi <= 600:
        raise ValueError(f"display.dpi {dpi} is not a real screen's DPI (50-600)")
    _dpi = float(dpi)


def dpi() -> float:
    return _dpi


def mm(value_mm: float) -> float:
    """Pixels for ``value_mm`` millimetres."""
    return value_mm * _dpi / MM_PER_INCH


def to_mm(value_px: float) -> float:
    return value_px * MM_PER_INCH / _dpi


def cap(cap_height_mm: float) -> float:
    """The font_size (px) whose capital letters are ``cap_height_mm`` tall."""
    return mm(cap_height_mm) / CAP_HEIGHT_RATIO
