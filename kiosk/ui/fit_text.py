"""Text that fits its box without clipping a glyph: a song title on two lines at the largest size that fits,
then smaller, never below ``theme.LABEL_CAP_MM``, and only then shortened with an ellipsis.

Kivy's own ``shorten`` cuts to one line at a fixed size, and a label whose ``text_size`` is its box crops
whatever does not fit (the bottoms of letters, a second line). :class:`FitLabel` measures instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kivy.core.text import Label as CoreLabel
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.label import Label

from kiosk.ui import theme, units

ELLIPSIS = "…"
STEP_MM = 0.25  # cap height step when shrinking


def cap_steps(max_cap_mm: float, min_cap_mm: float, step_mm: float = STEP_MM) -> list[float]:
    """Cap heights to try, largest first, ending exactly at ``min_cap_mm``."""
    caps, cap = [], max_cap_mm
    while cap > min_cap_mm + 1e-9:
        caps.append(round(cap, 3))
        cap -= step_mm
    return [*caps, min_cap_mm]


def shortened(text: str, fits: Callable[[str], bool]) -> str:
    """The longest start of ``text`` (whole words when it can) + an ellipsis for which ``fits`` holds."""
    words = text.split()

    def best(parts: Sequence[str], joiner: str) -> int:
        lo, hi = 0, len(parts)  # largest n with fits(parts[:n] + ...), by bisection (fits is monotonic)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(joiner.join(parts[:mid]).rstrip(" ,.;:-") + ELLIPSIS):
                lo = mid
            else:
                hi = mid - 1
        return lo

    n = best(words, " ")
    if n >= 1:
        return " ".join(words[:n]).rstrip(" ,.;:-") + ELLIPSIS
    chars = list(text)
    return "".join(chars[: best(chars, "")]).rstrip() + ELLIPSIS


class FitLabel(Label):
    """Shows ``full_text`` in at most ``fit_lines`` lines (0: as many as the height holds), at the largest cap
    height from ``max_cap_mm`` down to ``min_cap_mm`` that fits the box; at ``min_cap_mm``, shortened with an
    ellipsis. ``text`` is what is shown; ``fitted_cap_mm`` the size chosen."""

    full_text = StringProperty("")
    max_cap_mm = NumericProperty(theme.TITLE_CAP_MM)
    min_cap_mm = NumericProperty(theme.LABEL_CAP_MM)
    fit_lines = NumericProperty(2)
    fitted_cap_mm = NumericProperty(0.0)

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        names = ("full_text", "size", "max_cap_mm", "min_cap_mm", "fit_lines", "bold", "font_name")
        self.bind(**dict.fromkeys(names, self._fit))
        self._fit()

    def _measure(self, text: str, cap_mm: float) -> tuple[float, int]:
        """(height in px, lines) of ``text`` wrapped at this label's width."""

        def height(t: str) -> float:
            core = CoreLabel(text=t, font_size=units.cap(cap_mm), font_name=self.font_name, bold=self.bold,
                             halign=self.halign, text_size=(max(1.0, self.width), None),
                             line_height=self.line_height)  # fmt: skip
            core.refresh()
            return float(core.texture.height) if core.texture is not None else 0.0

        full = height(text)
        one = height("Hg") or 1.0
        return full, max(1, round(full / one))

    def _fits(self, text: str, cap_mm: float) -> bool:
        h, lines = self._measure(text, cap_mm)
        return h <= self.height + 0.5 and (self.fit_lines <= 0 or lines <= self.fit_lines)

    def _fit(self, *_args: object) -> None:
        text = self.full_text
        if self.width <= 1 or self.height <= 1:
            self.text = text
            return
        self.text_size = (self.width, self.height)
        if not text.strip():
            self.text, self.fitted_cap_mm = "", float(self.max_cap_mm)
            self.font_size = units.cap(self.max_cap_mm)
            return
        for cap_mm in cap_steps(float(self.max_cap_mm), float(min(self.min_cap_mm, self.max_cap_mm))):
            if self._fits(text, cap_mm):
                self.font_size, self.fitted_cap_mm, self.text = units.cap(cap_mm), cap_mm, text
                return
        smallest = float(min(self.min_cap_mm, self.max_cap_mm))
        self.font_size, self.fitted_cap_mm = units.cap(smallest), smallest
        self.text = shortened(text, lambda t: self._fits(t, smallest))
