"""Staff mode's Voice panel (layout in staff_voice.kv, words and actions in staff_voice_presenter.py)."""

from __future__ import annotations

from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui import theme
from kiosk.ui.i18n import _
from kiosk.ui.screens.staff_voice_presenter import VoicePresenter
from kiosk.ui.units import mm


class VoicePanel(BoxLayout):
    presenter: VoicePresenter = ObjectProperty(None)

    def fill(self) -> None:
        from kiosk.ui.screens.staff import StaffButton

        p, ids = self.presenter, self.ids
        ids.status.text = p.status_text()
        ids.status.color = theme.WARN if p.switches.silent_because else theme.TEXT
        for row in (ids.toggles, ids.intros, ids.people, ids.resident):  # rebuilt on every change
            row.clear_widgets()
        for c in p.toggles():
            ids.toggles.add_widget(StaffButton(word=c.word, control=f"staff:voice:{c.key}", selected=c.selected,
                                               height=mm(theme.STAFF_TARGET_MM), action=lambda k=c.key: p.toggle(k)))  # fmt: skip
        for c in p.intro_choices():
            ids.intros.add_widget(StaffButton(word=c.word, control=f"staff:voice_intros:{c.key}",
                                              selected=c.selected, height=mm(theme.STAFF_TARGET_MM),
                                              action=lambda k=c.key: p.set_intros(k)))  # fmt: skip
        for r in p.residents_page():
            ids.people.add_widget(StaffButton(word=r.display_name, control=f"staff:voice_who:{r.resident_id}",
                                              selected=r.resident_id == p.resident_id, height=mm(theme.STAFF_TARGET_MM),
                                              action=lambda rid=r.resident_id: p.pick_resident(rid)))  # fmt: skip
        chosen = p.chosen()
        ids.resident.add_widget(StaffButton(word=p.resident_word(), control="staff:voice_resident",
                                            selected=bool(chosen and chosen.voice), enabled=chosen is not None,
                                            height=mm(theme.STAFF_TARGET_MM), action=p.toggle_resident))  # fmt: skip
        if p.more_people():
            ids.resident.add_widget(StaffButton(word=_("More people"), control="staff:voice_more", height=mm(theme.STAFF_TARGET_MM),
                                                action=p.next_page))  # fmt: skip
