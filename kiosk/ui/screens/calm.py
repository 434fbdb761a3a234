"""Calm screen: shown while the session engine rests after a distress stop (status ``calm``), then idle."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.screens.calm_presenter import CalmPresenter


class CalmScreen(Screen):
    presenter: CalmPresenter = ObjectProperty(None)
