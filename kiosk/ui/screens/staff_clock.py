"""Staff mode's "Set the time" panel (layout in staff_clock.kv, words and actions in staff_clock_presenter.py)."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.ui import theme
from kiosk.ui.screens.staff import StaffButton, StaffText
from kiosk.ui.screens.staff_clock_presenter import FIELDS, ClockPresenter, field_titles
from kiosk.ui.units import mm

STEPPER_MM = 15.0


class ClockValue(Label):
    """A stepper's name and (bold, below it) value, centred between its buttons (staff_clock.kv)."""


class ClockPanel(BoxLayout):
    presenter: ClockPresenter = ObjectProperty(None)

    def fill(self) -> None:
        p, ids = self.presenter, self.ids
        ids.now.text = p.now_text()
        ids.trust.text = p.trust_text()
        ids.trust.color = theme.TEXT if p.trusted() else theme.WARN
        ids.steppers.clear_widgets()
        ids.save_row.clear_widgets()
        titles = field_titles()
        for name in FIELDS:
            # a row taller than a staff button: the name and the value above each other fit between them
            row = BoxLayout(spacing=mm(1), size_hint_y=None, height=mm(STEPPER_MM))
            row.add_widget(StaffButton(word="-", control=f"staff:clock:{name}:-", size_hint_x=None, height=row.height,
                                       width=mm(theme.STAFF_TARGET_MM), text_cap_mm=4.0,
                                       action=lambda n=name: p.step(n, -1)))  # fmt: skip
            row.add_widget(ClockValue(text=f"{titles[name]}\n[b]{p.value_text(name)}[/b]", markup=True))
            row.add_widget(StaffButton(word="+", control=f"staff:clock:{name}:+", size_hint_x=None, height=row.height,
                                       width=mm(theme.STAFF_TARGET_MM), text_cap_mm=4.0,
                                       action=lambda n=name: p.step(n, 1)))  # fmt: skip
            ids.steppers.add_widget(row)
        ids.save_row.add_widget(StaffText(text=p.chosen_text(), bold=True))
        ids.save_row.add_widget(StaffButton(word=p.save_word(), icon="check", control="staff:clock_save",
                                            orientation="horizontal", icon_mm=5, size_hint_x=0.45,
                                            enabled=p.can_save(), action=p.save))  # fmt: skip
