"""Lounge picker: who is listening? Big photo tiles with first names; at most 5 choices; no scrolling."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.ui import theme
from kiosk.ui.icons import ICONS
from kiosk.ui.screens.residents_presenter import FACES_PER_PAGE, ResidentsPresenter, Tile
from kiosk.ui.units import mm
from kiosk.ui.widgets import BigButton

GIVE_UP_S = 90.0  # nobody chose: back to the idle screen (no music was playing, nothing is lost)


class Face(Widget):
    """A resident's photo in a circle as large as the widget allows, cropped square from the photo's middle
    (any portrait shape, no distortion); without a photo, a plain figure in the same circle."""

    source = StringProperty("")

    def __init__(self, source: str = "", **kw: object):
        super().__init__(**kw)
        self._texture: object = None
        self.bind(pos=self._draw, size=self._draw)
        self.source = source  # after the canvas exists (on_source draws)
        self._draw()

    @property
    def diameter_px(self) -> float:
        return min(self.width, self.height)

    def on_source(self, _w: object, path: str) -> None:
        from kivy.core.image import Image as CoreImage

        self._texture = None
        if path:
            tex = CoreImage(path).texture
            side = min(tex.width, tex.height)
            self._texture = tex.get_region((tex.width - side) // 2, (tex.height - side) // 2, side, side)
        self._draw()

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        d = self.diameter_px
        x, y = self.center_x - d / 2, self.center_y - d / 2
        with self.canvas:
            if self._texture is not None:
                Color(1, 1, 1, 1)
                Ellipse(texture=self._texture, pos=(x, y), size=(d, d))
            else:
                Color(*theme.PANEL)
                Ellipse(pos=(x, y), size=(d, d))
                Color(*theme.ICON)
                ICONS["person"](x + d * 0.2, y + d * 0.12, d * 0.6)
            Color(*theme.BUTTON_EDGE)
            Line(circle=(self.center_x, self.center_y, d / 2), width=mm(0.3))


class PhotoTile(BigButton):
    """A resident's tile: the face fills it, the name underneath."""

    photo = StringProperty("")

    def __init__(self, **kw: object):
        super().__init__(**kw)
        self.padding = (mm(1.5), mm(1), mm(1.5), mm(1))
        self.spacing = mm(0.5)
        for spacer in (self.ids.lead, self.ids.trail):
            spacer.size_hint_y, spacer.height = None, 0
        self.ids.word.one_line = True  # a first name under a face: never broken over two lines
        self.face = Face(source=self.photo)
        self.add_widget(self.face, index=2)  # where the icon was: above the name

    def on_photo(self, _w: object, path: str) -> None:
        if hasattr(self, "face"):
            self.face.source = path


class ResidentsScreen(Screen):
    _give_up: Any  # a Kivy ClockEvent once scheduled (set in methods, read with getattr before)
    presenter: ResidentsPresenter = ObjectProperty(None)
    on_give_up = ObjectProperty(None, allownone=True)

    def on_pre_enter(self, *_args: object) -> None:
        self.presenter.reset()
        self.refresh()

    def on_enter(self, *_args: object) -> None:
        self._arm()

    def on_leave(self, *_args: object) -> None:
        if getattr(self, "_give_up", None) is not None:
            self._give_up.cancel()

    def _arm(self) -> None:
        if getattr(self, "_give_up", None) is not None:
            self._give_up.cancel()
        self._give_up = Clock.schedule_once(lambda _dt: self.on_give_up and self.on_give_up(), GIVE_UP_S)

    def refresh(self) -> None:
        faces, choices = self.ids.faces, self.ids.choices
        faces.clear_widgets()
        choices.clear_widgets()
        tiles = self.presenter.tiles()
        people = [t for t in tiles if t.kind == "resident"]
        faces.add_widget(Widget())
        for tile in people:
            widget = self._make(tile)
            widget.size_hint_x = None
            # one third of the row (less the gaps) on every page, so two faces look like three do
            faces.bind(width=lambda row, w, t=widget: setattr(t, "width", self._face_tile_width(row)))
            widget.width = self._face_tile_width(faces)
            faces.add_widget(widget)
        faces.add_widget(Widget())
        by_kind = {t.kind: t for t in tiles}
        everyone = self._make(by_kind["everyone"])
        everyone.size_hint_x = 1.25  # the longer words, and the choice that always plays
        choices.add_widget(everyone)
        choices.add_widget(self._make(by_kind["more"]) if "more" in by_kind else Widget())

    @staticmethod
    def _face_tile_width(row: Any) -> float:
        slots = FACES_PER_PAGE
        return max(1.0, (row.width - (slots + 1) * row.spacing) / slots)

    def _make(self, tile: Tile) -> BigButton:
        control = f"pick:{tile.kind}:{tile.resident_id}"
        widget: BigButton
        if tile.kind == "resident":
            widget = PhotoTile(word=tile.label, control=control, icon="", photo=tile.photo)
        else:
            widget = BigButton(word=tile.label, control=control, icon=tile.kind, icon_mm=12,
                               orientation="horizontal")  # fmt: skip
        if tile.kind == "everyone":
            widget.normal_color = theme.TILE

        def act(t: Tile = tile) -> None:
            self._arm()
            self.presenter.choose(t)

        widget.action = act
        return widget
