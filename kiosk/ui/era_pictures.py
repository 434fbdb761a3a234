"""Pictures of a song's decade, drawn by the project with Kivy graphics (no image files, nothing to license):
a gramophone, a wireless set, a jukebox, a record player, a cassette. Shown on now playing when a song has no
cover, so a resident sees something of the time the song comes from.

Each drawing fills a square of side ``s`` at (x, y), inside a margin (nothing touches the box's edge).
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.graphics import Color, Ellipse, Line, Mesh, Rectangle, RoundedRectangle
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from kiosk.ui import theme

INK = theme.ICON
WOOD = theme.rgb("#9A6436")
LIGHT = theme.rgb("#FBF7EE")

Draw = Callable[[float, float, float], None]


def _poly(x: float, y: float, s: float, *pts: float) -> None:
    """A filled convex polygon from unit-square points."""
    vertices: list[float] = []
    for i in range(0, len(pts), 2):
        vertices += [x + s * pts[i], y + s * pts[i + 1], 0, 0]
    Mesh(vertices=vertices, indices=list(range(len(pts) // 2)), mode="triangle_fan")


def _rect(x: float, y: float, s: float, x0: float, y0: float, x1: float, y1: float) -> None:
    Rectangle(pos=(x + s * x0, y + s * y0), size=(s * (x1 - x0), s * (y1 - y0)))


def _oval(x: float, y: float, s: float, cx: float, cy: float, rx: float, ry: float | None = None) -> None:
    ry = rx if ry is None else ry
    Ellipse(pos=(x + s * (cx - rx), y + s * (cy - ry)), size=(2 * s * rx, 2 * s * ry))


def _line(x: float, y: float, s: float, *pts: float, width: float = 0.025) -> None:
    Line(points=[x + s * v if i % 2 == 0 else y + s * v for i, v in enumerate(pts)], width=max(1.0, s * width),
         cap="round", joint="round")  # fmt: skip


def gramophone(x: float, y: float, s: float) -> None:
    """1920s-1930s: a wind-up gramophone with its big horn."""
    Color(*WOOD)
    _rect(x, y, s, 0.22, 0.08, 0.78, 0.3)
    Color(*INK)
    Line(rectangle=(x + s * 0.22, y + s * 0.08, s * 0.56, s * 0.22), width=max(1.0, s * 0.015))
    _oval(x, y, s, 0.5, 0.32, 0.3, 0.035)  # the turntable
    _line(x, y, s, 0.84, 0.2, 0.92, 0.2, 0.92, 0.13)  # the crank
    _line(x, y, s, 0.6, 0.34, 0.58, 0.48, width=0.03)  # the neck
    _poly(x, y, s, 0.56, 0.46, 0.62, 0.52, 0.44, 0.88, 0.16, 0.66)  # the horn
    _oval(x, y, s, 0.3, 0.77, 0.22, 0.17)  # its bell
    Color(*WOOD)
    _oval(x, y, s, 0.3, 0.77, 0.16, 0.12)  # inside the bell


def wireless(x: float, y: float, s: float) -> None:
    """1940s: a wooden wireless set with an arched top, cloth grille, dial and two knobs."""
    Color(*WOOD)
    _oval(x, y, s, 0.5, 0.62, 0.36, 0.3)
    _rect(x, y, s, 0.14, 0.08, 0.86, 0.62)
    Color(*LIGHT)  # the cloth behind the fret
    _oval(x, y, s, 0.5, 0.62, 0.25, 0.2)
    _rect(x, y, s, 0.25, 0.38, 0.75, 0.62)
    Color(*INK)
    for fx in (0.34, 0.42, 0.5, 0.58, 0.66):
        _line(x, y, s, fx, 0.4, fx, 0.62 + 0.19 * (1 - ((fx - 0.5) / 0.25) ** 2) ** 0.5 - 0.02, width=0.022)
    Color(*LIGHT)  # the dial
    _rect(x, y, s, 0.32, 0.16, 0.68, 0.3)
    Color(*INK)
    _line(x, y, s, 0.47, 0.17, 0.53, 0.29, width=0.015)
    _oval(x, y, s, 0.22, 0.22, 0.05)
    _oval(x, y, s, 0.78, 0.22, 0.05)


def jukebox(x: float, y: float, s: float) -> None:
    """1950s: a jukebox, arched, with its record behind glass and the speaker grille below."""
    Color(*WOOD)
    _oval(x, y, s, 0.5, 0.64, 0.32, 0.3)
    _rect(x, y, s, 0.18, 0.06, 0.82, 0.64)
    Color(*INK)
    Line(ellipse=(x + s * 0.24, y + s * 0.4, s * 0.52, s * 0.5, -90, 90), width=max(1.0, s * 0.02))
    _line(x, y, s, 0.24, 0.64, 0.24, 0.1, width=0.02)
    _line(x, y, s, 0.76, 0.64, 0.76, 0.1, width=0.02)
    Color(*LIGHT)  # the glass
    RoundedRectangle(pos=(x + s * 0.31, y + s * 0.42), size=(s * 0.38, s * 0.3), radius=[s * 0.04])
    Color(*INK)  # the record behind it
    _oval(x, y, s, 0.5, 0.57, 0.11)
    Color(*WOOD)
    _oval(x, y, s, 0.5, 0.57, 0.035)
    Color(*INK)
    for gy in (0.14, 0.21, 0.28):  # the grille
        _line(x, y, s, 0.32, gy, 0.68, gy, width=0.02)


def record_player(x: float, y: float, s: float) -> None:
    """1960s-1970s: a record player seen from above: the record, its label, the tone arm."""
    Color(*WOOD)
    RoundedRectangle(pos=(x + s * 0.08, y + s * 0.1), size=(s * 0.84, s * 0.72), radius=[s * 0.05])
    Color(*INK)
    _oval(x, y, s, 0.42, 0.46, 0.3)  # the record
    Color(*LIGHT)
    for r in (0.17, 0.23):  # grooves
        Line(circle=(x + s * 0.42, y + s * 0.46, s * r), width=1)
    Color(*theme.rgb("#C8553D"))  # the label
    _oval(x, y, s, 0.42, 0.46, 0.09)
    Color(*LIGHT)
    _oval(x, y, s, 0.42, 0.46, 0.015)
    Color(*INK)
    _oval(x, y, s, 0.82, 0.7, 0.05)  # the tone arm's pivot, the arm, its head on the record
    _line(x, y, s, 0.82, 0.7, 0.8, 0.34, 0.66, 0.28, width=0.025)
    _rect(x, y, s, 0.62, 0.25, 0.68, 0.31)
    _oval(x, y, s, 0.84, 0.2, 0.035)


def cassette(x: float, y: float, s: float) -> None:
    """1980s on: a cassette tape with its label, window and two reels."""
    Color(*INK)
    RoundedRectangle(pos=(x + s * 0.06, y + s * 0.2), size=(s * 0.88, s * 0.58), radius=[s * 0.05])
    Color(*LIGHT)  # the label
    RoundedRectangle(pos=(x + s * 0.13, y + s * 0.38), size=(s * 0.74, s * 0.33), radius=[s * 0.03])
    Color(*theme.rgb("#C8553D"))
    _rect(x, y, s, 0.13, 0.64, 0.87, 0.68)
    Color(*INK)  # the window and its reels
    RoundedRectangle(pos=(x + s * 0.28, y + s * 0.44), size=(s * 0.44, s * 0.16), radius=[s * 0.08])
    Color(*LIGHT)
    _oval(x, y, s, 0.37, 0.52, 0.06)
    _oval(x, y, s, 0.63, 0.52, 0.06)
    Color(*INK)
    _oval(x, y, s, 0.37, 0.52, 0.025)
    _oval(x, y, s, 0.63, 0.52, 0.025)
    Color(*WOOD)  # the bottom edge, where the tape shows
    _poly(x, y, s, 0.24, 0.2, 0.76, 0.2, 0.7, 0.32, 0.3, 0.32)
    Color(*INK)
    _oval(x, y, s, 0.38, 0.26, 0.025)
    _oval(x, y, s, 0.62, 0.26, 0.025)


def picture_for(decade: str) -> Draw:
    """The picture for a decade such as "1950s" (an unknown decade: the record player)."""
    try:
        year = int(decade[:4])
    except ValueError:
        return record_player
    if year < 1940:
        return gramophone
    if year < 1950:
        return wireless
    if year < 1960:
        return jukebox
    if year < 1980:
        return record_player
    return cassette


class DecadePicture(Widget):
    """The decade's picture, as large as a square in the widget allows, centred."""

    decade = StringProperty("")

    def __init__(self, **kw: object):
        super().__init__(**kw)
        self.bind(pos=self._draw, size=self._draw, decade=self._draw)
        self._draw()  # what the constructor was given sends no change later

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        if not self.decade:
            return
        side = min(self.width, self.height)
        with self.canvas:
            picture_for(self.decade)(self.center_x - side / 2, self.center_y - side / 2, side)
