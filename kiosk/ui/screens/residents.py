"""Lounge picker: who is listening? Big photo tiles with first names; at most 5 choices; no scrolling."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.ui import theme
from kiosk.ui.screens.residents_presenter import ResidentsPresenter, Tile
from kiosk.ui.units import mm
from kiosk.ui.widgets import BigButton

GIVE_UP_S = 90.0  # nobody chose: back to the idle screen (no music was playing, nothing is lost)


class RoundPhoto(Widget):
    """A resident's photo in a circle, cropped square from its middle (any portrait shape, no distortion, no
    square corners on the tile's colour)."""

    source = StringProperty("")

    def __init__(self, source: str = "", **kw: object):
        super().__init__(**kw)
        self._texture: object = None
        self.bind(pos=self._draw, size=self._draw)
        self.source = source  # after the canvas exists (on_source draws)

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
        if self._texture is None:
            return
        d = min(self.width, self.height)
        with self.canvas:
            Color(1, 1, 1, 1)
            Ellipse(texture=self._texture, pos=(self.center_x - d / 2, self.center_y - d / 2), size=(d, d))


class PhotoTile(BigButton):
    photo = StringProperty("")

    def on_photo(self, _w: object, path: str) -> None:
        for child in list(self.children):
            if isinstance(child, RoundPhoto):
                self.remove_widget(child)
        if path:
            self.icon = ""
            self.add_widget(RoundPhoto(source=path, size_hint=(1, None), height=mm(17)), index=2)


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
        grid = self.ids.tiles
        grid.clear_widgets()
        for tile in self.presenter.tiles():
            grid.add_widget(self._make(tile))

    def _make(self, tile: Tile) -> BigButton:
        icon = {"everyone": "everyone", "more": "more"}.get(tile.kind, "person")
        widget = PhotoTile(
            word=tile.label,
            icon=icon,
            control=f"pick:{tile.kind}:{tile.resident_id}",
            icon_mm=12,
            text_cap_mm=theme.LABEL_CAP_MM,
        )
        widget.photo = tile.photo
        if tile.kind == "everyone":
            widget.normal_color = theme.TILE

        def act(t: Tile = tile) -> None:
            self._arm()
            self.presenter.choose(t)

        widget.action = act
        return widget
