"""Icons drawn with Kivy graphics (no emoji font needed): simple, bold shapes in one colour.

Each icon draws into a square of side ``s`` at (x, y); shapes are kept thick so they read at 8-12 mm.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from kivy.graphics import Color, Ellipse, Line, Mesh, Rectangle, Triangle
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.widget import Widget

Draw = Callable[[float, float, float], None]


def _tri(*pts: float) -> None:
    Triangle(points=pts)


def _play(x: float, y: float, s: float) -> None:
    _tri(x + s * 0.22, y + s * 0.1, x + s * 0.22, y + s * 0.9, x + s * 0.88, y + s * 0.5)


def _pause(x: float, y: float, s: float) -> None:
    Rectangle(pos=(x + s * 0.18, y + s * 0.1), size=(s * 0.24, s * 0.8))
    Rectangle(pos=(x + s * 0.58, y + s * 0.1), size=(s * 0.24, s * 0.8))


def _next(x: float, y: float, s: float) -> None:
    _tri(x + s * 0.08, y + s * 0.15, x + s * 0.08, y + s * 0.85, x + s * 0.5, y + s * 0.5)
    _tri(x + s * 0.45, y + s * 0.15, x + s * 0.45, y + s * 0.85, x + s * 0.87, y + s * 0.5)
    Rectangle(pos=(x + s * 0.82, y + s * 0.15), size=(s * 0.1, s * 0.7))


def _heart_points(x: float, y: float, s: float) -> list[float]:
    pts: list[float] = []
    for i in range(64):
        t = 2 * math.pi * i / 64
        hx = 16 * math.sin(t) ** 3
        hy = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts += [x + s * 0.5 + hx * s / 36, y + s * 0.52 + hy * s / 36]
    return pts


def _heart(x: float, y: float, s: float) -> None:
    Line(points=_heart_points(x, y, s), width=max(1.5, s * 0.06), close=True)


def _heart_full(x: float, y: float, s: float) -> None:
    pts = _heart_points(x, y, s)
    cx, cy = x + s * 0.5, y + s * 0.5
    vertices: list[float] = [cx, cy, 0, 0]
    for i in range(0, len(pts), 2):
        vertices += [pts[i], pts[i + 1], 0, 0]
    n = len(pts) // 2
    indices = [0]
    for i in range(1, n + 1):
        indices.append(i)
    indices.append(1)
    Mesh(vertices=vertices, indices=indices, mode="triangle_fan")


def _speaker(x: float, y: float, s: float) -> None:
    Rectangle(pos=(x + s * 0.08, y + s * 0.36), size=(s * 0.16, s * 0.28))
    Mesh(
        vertices=[
            x + s * 0.22, y + s * 0.36, 0, 0,
            x + s * 0.48, y + s * 0.14, 0, 0,
            x + s * 0.48, y + s * 0.86, 0, 0,
            x + s * 0.22, y + s * 0.64, 0, 0,
        ],
        indices=[0, 1, 2, 3],
        mode="triangle_fan",
    )  # fmt: skip


def _speaker_waves(x: float, y: float, s: float) -> None:
    """The volume's label: a speaker with two sound waves."""
    _speaker(x, y, s)
    for r in (0.2, 0.34):
        pts = []
        for i in range(9):
            a = math.radians(-50 + 100 * i / 8)
            pts += [x + s * (0.5 + r * math.cos(a)), y + s * (0.5 + r * math.sin(a))]
        Line(points=pts, width=max(1.2, s * 0.05), cap="round")


def _quieter(x: float, y: float, s: float) -> None:
    _speaker(x, y, s)
    Rectangle(pos=(x + s * 0.58, y + s * 0.45), size=(s * 0.36, s * 0.1))


def _louder(x: float, y: float, s: float) -> None:
    _speaker(x, y, s)
    Rectangle(pos=(x + s * 0.58, y + s * 0.45), size=(s * 0.36, s * 0.1))
    Rectangle(pos=(x + s * 0.71, y + s * 0.32), size=(s * 0.1, s * 0.36))


def _note(x: float, y: float, s: float) -> None:
    Ellipse(pos=(x + s * 0.12, y + s * 0.08), size=(s * 0.3, s * 0.24))
    Ellipse(pos=(x + s * 0.55, y + s * 0.18), size=(s * 0.3, s * 0.24))
    Rectangle(pos=(x + s * 0.35, y + s * 0.2), size=(s * 0.07, s * 0.68))
    Rectangle(pos=(x + s * 0.78, y + s * 0.3), size=(s * 0.07, s * 0.62))
    Mesh(
        vertices=[
            x + s * 0.35, y + s * 0.8, 0, 0,
            x + s * 0.85, y + s * 0.92, 0, 0,
            x + s * 0.85, y + s * 0.8, 0, 0,
            x + s * 0.35, y + s * 0.68, 0, 0,
        ],
        indices=[0, 1, 2, 3],
        mode="triangle_fan",
    )  # fmt: skip


def _person(x: float, y: float, s: float) -> None:
    Ellipse(pos=(x + s * 0.33, y + s * 0.58), size=(s * 0.34, s * 0.34))
    Ellipse(pos=(x + s * 0.15, y + s * 0.02), size=(s * 0.7, s * 0.6), angle_start=-90, angle_end=90)


def _everyone(x: float, y: float, s: float) -> None:
    _person(x - s * 0.02, y + s * 0.2, s * 0.6)
    _person(x + s * 0.42, y + s * 0.2, s * 0.6)
    _person(x + s * 0.16, y + s * 0.02, s * 0.68)


def _more(x: float, y: float, s: float) -> None:
    w = max(2.0, s * 0.09)
    Line(points=[x + s * 0.15, y + s * 0.85, x + s * 0.5, y + s * 0.5, x + s * 0.15, y + s * 0.15], width=w)
    Line(points=[x + s * 0.5, y + s * 0.85, x + s * 0.85, y + s * 0.5, x + s * 0.5, y + s * 0.15], width=w)


def _leaf(x: float, y: float, s: float) -> None:
    """Relax: a leaf (outline, midrib and stem), calm and unlike any button."""
    w = max(1.5, s * 0.06)
    left, right = [], []
    for i in range(17):
        t = i / 16
        bulge = math.sin(math.pi * t) * 0.3
        cx, cy = 0.22 + 0.58 * t, 0.22 + 0.58 * t  # along the diagonal, tip at top right
        left += [x + s * (cx - bulge * 0.7), y + s * (cy + bulge * 0.7)]
        right += [x + s * (cx + bulge * 0.7), y + s * (cy - bulge * 0.7)]
    outline = left + [right[i] for j in range(len(right) // 2 - 1, -1, -1) for i in (2 * j, 2 * j + 1)]
    Line(points=outline, width=w, close=True, joint="round")
    Line(points=[x + s * 0.1, y + s * 0.1, x + s * 0.72, y + s * 0.72], width=w * 0.8, cap="round")


# --- seated movements (Move): one person on a chair, seen from the side, facing right ---
# Every picture is paired with its words in modes_presenter.SEATED_MOVES; nothing stands, jumps or kneels.


def _chair_and_sitter(x: float, y: float, s: float, *, arms: bool = True, foot_up: bool = False) -> float:
    """The chair and the seated body; returns the line width used."""
    w = max(1.5, s * 0.055)
    thin = max(1.0, s * 0.035)
    P = lambda *pts: [x + s * v if i % 2 == 0 else y + s * v for i, v in enumerate(pts)]  # noqa: E731
    Line(points=P(0.2, 0.08, 0.2, 0.62), width=thin, cap="round")  # chair back
    Line(points=P(0.2, 0.36, 0.54, 0.36, 0.54, 0.08), width=thin, cap="round", joint="round")  # seat, leg
    Ellipse(pos=(x + s * 0.28, y + s * 0.75), size=(s * 0.16, s * 0.16))  # head
    Line(points=P(0.34, 0.73, 0.32, 0.42, 0.6, 0.42), width=w, cap="round", joint="round")  # back, thigh
    if foot_up:
        Line(points=P(0.6, 0.42, 0.72, 0.2, 0.84, 0.24), width=w, cap="round", joint="round")
    else:
        Line(points=P(0.6, 0.42, 0.62, 0.1, 0.76, 0.1), width=w, cap="round", joint="round")
    if arms:  # resting on the lap
        Line(points=P(0.34, 0.68, 0.42, 0.5, 0.56, 0.5), width=w, cap="round", joint="round")
    return w


def _arc(
    x: float, y: float, s: float, cx: float, cy: float, r: float, a0: float, a1: float, w: float
) -> None:
    """An arc with an arrow head at its end (angles in degrees, counter-clockwise from 3 o'clock)."""
    pts = []
    for i in range(13):
        a = math.radians(a0 + (a1 - a0) * i / 12)
        pts += [x + s * (cx + r * math.cos(a)), y + s * (cy + r * math.sin(a))]
    Line(points=pts, width=w * 0.7, cap="round")
    a = math.radians(a1)
    tip = (x + s * (cx + r * math.cos(a)), y + s * (cy + r * math.sin(a)))
    d = 1 if a1 > a0 else -1
    tangent = (-math.sin(a) * d, math.cos(a) * d)
    normal = (math.cos(a), math.sin(a))
    k = s * 0.07
    Triangle(points=[tip[0] + tangent[0] * k, tip[1] + tangent[1] * k,
                     tip[0] + normal[0] * k * 0.6, tip[1] + normal[1] * k * 0.6,
                     tip[0] - normal[0] * k * 0.6, tip[1] - normal[1] * k * 0.6])  # fmt: skip


def _seated_clap(x: float, y: float, s: float) -> None:
    w = _chair_and_sitter(x, y, s, arms=False)
    Line(points=[x + s * 0.34, y + s * 0.68, x + s * 0.46, y + s * 0.54, x + s * 0.64, y + s * 0.62],
         width=w, cap="round", joint="round")  # fmt: skip
    for dx, dy in ((0.06, 0.1), (0.11, 0.02), (0.07, -0.07)):  # the clap's sound
        Line(points=[x + s * (0.7 + dx * 0.4), y + s * (0.63 + dy * 0.4), x + s * (0.7 + dx), y + s * (0.63 + dy)],
             width=w * 0.6, cap="round")  # fmt: skip


def _seated_tap_feet(x: float, y: float, s: float) -> None:
    w = _chair_and_sitter(x, y, s, foot_up=True)
    for i in range(2):  # tapping marks under the lifted foot
        Line(points=[x + s * (0.7 + 0.08 * i), y + s * 0.1, x + s * (0.74 + 0.08 * i), y + s * 0.16],
             width=w * 0.6, cap="round")  # fmt: skip


def _seated_sway(x: float, y: float, s: float) -> None:
    """Seen from the front (side to side does not show from the side): leaning over on the chair, arrows
    either way."""
    w = max(1.5, s * 0.055)
    thin = max(1.0, s * 0.035)
    P = lambda *pts: [x + s * v if i % 2 == 0 else y + s * v for i, v in enumerate(pts)]  # noqa: E731
    Line(points=P(0.28, 0.36, 0.72, 0.36), width=thin, cap="round")  # the seat
    Line(points=P(0.3, 0.36, 0.3, 0.08), width=thin, cap="round")
    Line(points=P(0.7, 0.36, 0.7, 0.08), width=thin, cap="round")
    Ellipse(pos=(x + s * 0.33, y + s * 0.68), size=(s * 0.15, s * 0.15))  # the head, leaning
    Line(points=P(0.5, 0.4, 0.43, 0.66), width=w, cap="round")  # the body
    Line(points=P(0.34, 0.45, 0.32, 0.62, 0.54, 0.68, 0.6, 0.48), width=w, cap="round", joint="round")  # arms
    Line(points=P(0.44, 0.4, 0.43, 0.1), width=w, cap="round")  # the legs
    Line(points=P(0.56, 0.4, 0.57, 0.1), width=w, cap="round")
    _arc(x, y, s, 0.5, 0.48, 0.4, 115, 150, w)
    _arc(x, y, s, 0.5, 0.48, 0.4, 65, 30, w)


def _seated_shoulder_roll(x: float, y: float, s: float) -> None:
    w = _chair_and_sitter(x, y, s)
    _arc(x, y, s, 0.34, 0.68, 0.11, -40, 230, w)


def _seated_circle_arms(x: float, y: float, s: float) -> None:
    w = _chair_and_sitter(x, y, s, arms=False)
    Line(points=[x + s * 0.34, y + s * 0.68, x + s * 0.66, y + s * 0.68], width=w, cap="round")
    _arc(x, y, s, 0.74, 0.68, 0.12, -60, 220, w)


def _seated_nod(x: float, y: float, s: float) -> None:
    w = _chair_and_sitter(x, y, s)
    _arc(x, y, s, 0.38, 0.78, 0.16, 30, -25, w)  # the head goes down, and up again
    _arc(x, y, s, 0.38, 0.78, 0.16, -5, 45, w)


def _sing(x: float, y: float, s: float) -> None:
    """A microphone."""
    Ellipse(pos=(x + s * 0.3, y + s * 0.52), size=(s * 0.4, s * 0.44))
    Mesh(
        vertices=[
            x + s * 0.36, y + s * 0.6, 0, 0,
            x + s * 0.64, y + s * 0.6, 0, 0,
            x + s * 0.55, y + s * 0.04, 0, 0,
            x + s * 0.45, y + s * 0.04, 0, 0,
        ],
        indices=[0, 1, 2, 3],
        mode="triangle_fan",
    )  # fmt: skip


def _back(x: float, y: float, s: float) -> None:
    _tri(x + s * 0.1, y + s * 0.5, x + s * 0.5, y + s * 0.9, x + s * 0.5, y + s * 0.1)
    Rectangle(pos=(x + s * 0.45, y + s * 0.38), size=(s * 0.45, s * 0.24))


def _stop(x: float, y: float, s: float) -> None:
    Rectangle(pos=(x + s * 0.15, y + s * 0.15), size=(s * 0.7, s * 0.7))


def _check(x: float, y: float, s: float) -> None:
    Line(
        points=[x + s * 0.12, y + s * 0.5, x + s * 0.4, y + s * 0.2, x + s * 0.9, y + s * 0.82],
        width=s * 0.08,
    )


def _cross(x: float, y: float, s: float) -> None:
    w = s * 0.08
    Line(points=[x + s * 0.2, y + s * 0.2, x + s * 0.8, y + s * 0.8], width=w)
    Line(points=[x + s * 0.2, y + s * 0.8, x + s * 0.8, y + s * 0.2], width=w)


ICONS: dict[str, Draw] = {
    "play": _play,
    "pause": _pause,
    "next": _next,
    "heart": _heart,
    "heart_full": _heart_full,
    "speaker": _speaker_waves,
    "quieter": _quieter,
    "louder": _louder,
    "note": _note,
    "person": _person,
    "everyone": _everyone,
    "more": _more,
    "breathe": _leaf,
    "leaf": _leaf,
    "move": _seated_clap,  # the Move mode's tile: a seated person, never a jump
    "seated_clap": _seated_clap,
    "seated_tap_feet": _seated_tap_feet,
    "seated_sway": _seated_sway,
    "seated_shoulder_roll": _seated_shoulder_roll,
    "seated_circle_arms": _seated_circle_arms,
    "seated_nod": _seated_nod,
    "sing": _sing,
    "back": _back,
    "stop": _stop,
    "check": _check,
    "cross": _cross,
}


class Icon(Widget):
    """A drawn icon, centred in the widget; ``name`` from :data:`ICONS` ("" draws nothing)."""

    name = StringProperty("")
    color = ColorProperty((0, 0, 0, 1))

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self.bind(pos=self._redraw, size=self._redraw, name=self._redraw, color=self._redraw)
        self._redraw()

    def _redraw(self, *_args: object) -> None:
        self.canvas.clear()
        draw = ICONS.get(self.name)
        if draw is None:
            return
        s = min(self.width, self.height)
        x = self.x + (self.width - s) / 2
        y = self.y + (self.height - s) / 2
        with self.canvas:
            Color(*self.color)
            draw(x, y, s)
