"""Lounge picker: who is listening? Big photo tiles with first names; at most 5 choices; no scrolling."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.image import Image
from kivy.uix.screenmanager import Screen

from kiosk.ui import theme
from kiosk.ui.screens.residents_presenter import ResidentsPresenter, Tile
from kiosk.ui.units import mm
from kiosk.ui.widgets import BigButton

GIVE_UP_S = 90.0  # nobody chose: back to the idle screen (no music was playing, nothing is lost)


class PhotoTile(BigButton):
    photo = StringProperty("")

    def on_photo(self, _w: object, path: str) -> None:
        for child in list(self.children):
            if isinstance(child, Image):
                self.remove_widget(child)
        if path:
            self.icon = ""
            img = Image(source=path, size_hint=(1, None), height=mm(17), fit_mode="contain")
            self.add_widget(img, index=2)


class ResidentsScreen(Screen):
    presenter: ResidentsPresenter = ObjectProperty(None)  # type: ignore[assignment]
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
