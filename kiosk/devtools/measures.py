"""What a person would notice, measured from the widget tree (run by tests/ui/headless_checks.py): faces on the
picker, the breathing circle, labels meant to be one line, staff target sizes, and the project's drawings kept
inside their boxes."""

from __future__ import annotations

from typing import Any

from kiosk.devtools.headless import Harness, _visible, walk
from kiosk.ui import theme, units


def face_measures(screen: Any) -> list[dict[str, float]]:
    """Per visible resident tile on the picker: the face's diameter and its centre's distance from the tile's
    centre line (mm), and the tile's size (mm)."""
    from kiosk.ui.screens.residents import PhotoTile

    out = []
    for tile in (w for w in walk(screen) if isinstance(w, PhotoTile) and _visible(w)):
        face = tile.face
        fx, _fy = face.to_window(face.center_x, face.center_y)
        tx, _ty = tile.to_window(tile.center_x, tile.center_y)
        out.append({"face_mm": units.to_mm(face.diameter_px), "off_centre_mm": units.to_mm(abs(fx - tx)),
                    "inside": float(face.y >= tile.y - 1 and face.top <= tile.top + 1),
                    "tile_w_mm": units.to_mm(tile.width), "tile_h_mm": units.to_mm(tile.height)})  # fmt: skip
    return out


def breathing_measures(h: Harness) -> dict[str, float]:
    """The Relax circle: its largest size as a share of the screen's height, how far its centre is from the
    screen's centre line (mm), and the breath period the words follow (s)."""
    from kiosk.ui.screens.modes_presenter import BREATH_PERIOD_S, breath_word

    circle = h.ui.now_playing.ids.breathing
    cx, _cy = circle.to_window(circle.center_x, circle.center_y)
    words = [breath_word(t / 2) for t in range(int(BREATH_PERIOD_S * 2))]
    return {"height_share": circle.largest_px / h.window.height,
            "off_centre_mm": units.to_mm(abs(cx - h.window.width / 2)),
            "breaths_per_min": 60 / BREATH_PERIOD_S,
            "word_changes_per_breath": sum(a != b for a, b in zip(words, words[1:] + words[:1], strict=True))}  # fmt: skip


def _lines(label: Any) -> int:
    from kivy.core.text import Label as CoreLabel

    label.texture_update()
    one = CoreLabel(text="Hg", font_size=label.font_size, font_name=label.font_name, bold=label.bold)
    one.refresh()
    return max(1, round(label.texture_size[1] / max(1, one.texture.height)))


def wrapped_one_liners(ui: Any, name: str) -> list[str]:
    """Labels meant to be one line (``one_line``) that the screen wrapped: "screen: text (n lines)"."""
    from kivy.uix.label import Label

    out = []
    for w in walk(ui.sm.current_screen):
        if isinstance(w, Label) and getattr(w, "one_line", False) and w.text.strip() and _visible(w):
            n = _lines(w)
            if n > 1:
                out.append(f"{name}: {w.text!r} ({n} lines)")
    return out


def small_staff_targets(screen: Any, name: str) -> list[str]:
    """Staff buttons under theme.STAFF_TARGET_MM on either side: "screen: word w x h mm"."""
    from kiosk.ui.widgets import BigButton

    out = []
    for b in (w for w in walk(screen) if isinstance(w, BigButton) and _visible(w)):
        w_mm, h_mm = units.to_mm(b.width), units.to_mm(b.height)
        if min(w_mm, h_mm) < theme.STAFF_TARGET_MM - 0.05:
            out.append(f"{name}: {b.word!r} {w_mm:.1f} x {h_mm:.1f} mm")
    return out


def drawing_bounds(side: float = 200.0) -> dict[str, list[float]]:
    """Each seated-movement picture and decade picture drawn in a ``side`` px square: the share of the square
    its shapes reach to on each side (left, bottom, right, top; 0-1, line widths included)."""
    from kivy.graphics import Ellipse, Line, Mesh, Rectangle, RoundedRectangle, Triangle
    from kivy.uix.widget import Widget

    from kiosk.ui import era_pictures
    from kiosk.ui.icons import ICONS

    drawings = {n: f for n, f in ICONS.items() if n.startswith("seated_")}
    drawings |= {
        f"era:{d}": era_pictures.picture_for(d) for d in ("1930s", "1940s", "1950s", "1960s", "1980s")
    }
    out = {}
    for name, draw in drawings.items():
        w = Widget()
        with w.canvas:
            draw(0.0, 0.0, side)
        xs: list[float] = []
        ys: list[float] = []
        for ins in w.canvas.children:
            pad = 0.0
            if isinstance(ins, Line):
                pts, pad = list(ins.points), ins.width
            elif isinstance(ins, Triangle):
                pts = list(ins.points)
            elif isinstance(ins, Mesh):
                v = list(ins.vertices)
                pts = [c for i in range(0, len(v), 4) for c in v[i : i + 2]]
            elif isinstance(ins, Ellipse | Rectangle | RoundedRectangle):
                pts = [ins.pos[0], ins.pos[1], ins.pos[0] + ins.size[0], ins.pos[1] + ins.size[1]]
            else:
                continue
            xs += [p - pad for p in pts[0::2]] + [p + pad for p in pts[0::2]]
            ys += [p - pad for p in pts[1::2]] + [p + pad for p in pts[1::2]]
        out[name] = [min(xs) / side, min(ys) / side, max(xs) / side, max(ys) / side]
    return out
