"""Colours and sizes: dark text on light backgrounds (contrast >= 7:1, tested), calm, nothing bright.

Sizes are millimetres (see :mod:`kiosk.ui.units`), taken from docs/../DEMENTIA_UX numbers.
"""

from __future__ import annotations


def rgb(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


BACKGROUND = rgb("#F7F3EA")  # warm paper
TEXT = rgb("#1B1B1B")
TEXT_SOFT = rgb("#3A3A3A")  # still >= 7:1 on BACKGROUND
BUTTON = rgb("#DDE7F2")  # pale blue
BUTTON_EDGE = rgb("#23405F")
BUTTON_PRESSED = rgb("#FFD978")  # warm yellow: the touch was felt
BUTTON_ON = rgb("#F6D2D2")  # liked / selected
ICON = rgb("#1F3550")
ICON_LIKED = rgb("#8E1B1B")
TILE = rgb("#E9E2D0")
PANEL = rgb("#FFFFFF")
STAFF_BG = rgb("#ECEFF3")
STAFF_BUTTON = rgb("#FFFFFF")
STAFF_ACCENT = rgb("#23405F")
WARN = rgb("#7A1F00")
DISTRESS = rgb("#8E1B1B")  # the one control that stops a song as upsetting: white on deep red, set apart
ON_DISTRESS = rgb("#FFFFFF")
BLANK = rgb("#000000")

# Sizes in mm.
TARGET_MM = 22.0  # smallest resident touch target (both sides)
GAP_MM = 6.0  # smallest space between resident targets
EDGE_MM = 4.0  # margin to the glass edge
TITLE_CAP_MM = 6.5  # song title cap height (>= 6)
LABEL_CAP_MM = 4.2  # any resident-facing word (>= 4)
STAFF_CAP_MM = 2.6
STAFF_TARGET_MM = 12.0  # smallest staff button (both sides): gloves and hurry
STAFF_CORNER_MM = 14.0  # the long-press corner (top left)
STAFF_HOLD_S = 3.0
STAFF_IDLE_S = 120.0

DECADE_COLOURS = {
    "1920s": "#E7D9C1",
    "1930s": "#E3DCCB",
    "1940s": "#DCE3D2",
    "1950s": "#F2D9D0",
    "1960s": "#F4E3B5",
    "1970s": "#E9D6B8",
    "1980s": "#D9DFF0",
    "1990s": "#D7EAE4",
    "2000s": "#E4DDEE",
}


def decade_colour(decade: str | None) -> tuple[float, float, float, float]:
    return rgb(DECADE_COLOURS.get(decade or "", "#E6E1D6"))


def luminance(colour: tuple[float, ...]) -> float:
    """WCAG relative luminance of an sRGB colour (0-1 channels)."""

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG contrast ratio of ``fg`` over ``bg`` (alpha of fg blended over bg)."""
    alpha = fg[3] if len(fg) > 3 else 1.0
    blended = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg[:3], strict=True))
    hi, lo = sorted((luminance(blended), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def with_alpha(colour: tuple[float, ...], alpha: float) -> tuple[float, float, float, float]:
    return (colour[0], colour[1], colour[2], alpha)
