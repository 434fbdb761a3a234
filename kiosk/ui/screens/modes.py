"""Mode tiles: Listen, Relax, Move, Sing along. Each tile goes straight (back) to the music."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui import theme
from kiosk.ui.screens.modes_presenter import ModesPresenter, ModeTile
from kiosk.ui.widgets import BigButton


class ModesScreen(Screen):
    presenter: ModesPresenter = ObjectProperty(None)

    def on_pre_enter(self, *_args: object) -> None:
        grid = self.ids.tiles
        grid.clear_widgets()
        for tile in self.presenter.tiles():
            grid.add_widget(self._make(tile))

    def _make(self, tile: ModeTile) -> BigButton:
        def act(t: ModeTile = tile) -> None:
            self.presenter.choose(t.mode)

        return BigButton(
            word=tile.word, icon=tile.icon, control=f"mode:{tile.mode}", icon_mm=16,
            text_cap_mm=theme.LABEL_CAP_MM + 0.6, action=act,
        )  # fmt: skip
