"""Staff mode screen: a menu of panels on the left, the chosen panel on the right. Leaves after 2 minutes
without a touch (back to whatever the residents see)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.progressbar import ProgressBar
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.slider import Slider
from kivy.uix.widget import Widget

from kiosk.domain.events import OBSERVATION_SCALES, REACTIONS
from kiosk.ui import theme
from kiosk.ui.i18n import _
from kiosk.ui.screens.modes_presenter import mode_tiles
from kiosk.ui.screens.staff_presenter import (
    PANELS,
    REPORT_PERIODS,
    StaffPresenter,
    panel_titles,
    reaction_titles,
    report_period_titles,
    scale_titles,
)
from kiosk.ui.units import cap, mm
from kiosk.ui.widgets import BigButton, Text


class StaffButton(BigButton):
    pass


class StaffText(Text):
    pass


class FigureText(StaffText):
    """A report figure: wraps to its width and grows to fit its text (set in staff.kv)."""


class ReportChart(Image):
    """One report chart (a PNG the worker rendered), as wide as the panel, its aspect kept."""


def _figure_row(label: str, value: str) -> BoxLayout:
    """One report figure: its name on the left, the value large and bold on the right (both wrap)."""
    row = BoxLayout(spacing=mm(3), size_hint_y=None)
    name = FigureText(text=label, size_hint_x=0.45, pos_hint={"top": 1})
    shown = FigureText(text=value, size_hint_x=0.55, pos_hint={"top": 1}, bold=True, font_size=cap(3.4))

    def fit(*_args: object) -> None:
        row.height = max(name.height, shown.height)

    name.bind(height=fit)
    shown.bind(height=fit)
    row.add_widget(name)
    row.add_widget(shown)
    return row


def _row(*widgets: Widget, height_mm: float = 10) -> BoxLayout:
    row = BoxLayout(spacing=mm(1.5), size_hint_y=None, height=mm(height_mm))
    for w in widgets:
        row.add_widget(w)
    return row


class StaffScreen(Screen):
    presenter: StaffPresenter = ObjectProperty(None)
    on_leave_staff = ObjectProperty(None, allownone=True)
    on_open_modes = ObjectProperty(None, allownone=True)
    heading = StringProperty("")
    note = StringProperty("")

    def on_pre_enter(self, *_args: object) -> None:
        self._build_menu()
        self.presenter.open_panel("session")

    def _build_menu(self) -> None:
        menu = self.ids.menu
        menu.clear_widgets()
        menu.add_widget(
            StaffButton(word=_("Back to music"), control="staff:leave",
                        normal_color=theme.BUTTON, height=mm(10), action=lambda: self.on_leave_staff())
        )  # fmt: skip
        titles = panel_titles()
        self._menu_buttons = {}
        for panel in PANELS:
            b = StaffButton(word=titles[panel], control=f"staff:{panel}", height=mm(7))
            b.action = lambda p=panel: self.presenter.open_panel(p)
            self._menu_buttons[panel] = b
            menu.add_widget(b)

    def refresh(self) -> None:
        state = self.presenter.state
        self.heading = panel_titles()[state.panel]
        self.note = state.note
        for panel, b in getattr(self, "_menu_buttons", {}).items():
            b.selected = panel == state.panel
        box = self.ids.content
        box.clear_widgets()
        getattr(self, f"_panel_{state.panel}")(box)
        if state.panel != "reports":  # the reports' scroll area takes the rest itself
            box.add_widget(Widget())

    # --- panels ---
    def _panel_session(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        grid = GridLayout(cols=3, spacing=mm(1.5), size_hint_y=None, height=mm(21.5))
        for r in p.residents_page():
            b = StaffButton(
                word=r.display_name,
                control=f"staff:who:{r.resident_id}",
                selected=r.resident_id in state.selected,
            )
            b.action = lambda rid=r.resident_id: p.toggle_resident(rid)
            grid.add_widget(b)
        box.add_widget(grid)
        more = StaffButton(
            word=_("More people ({page}/{pages})").format(
                page=state.residents_page + 1, pages=p.residents_pages()
            ),
            control="staff:who_more",
            action=p.next_residents_page,
        )
        box.add_widget(
            _row(more, StaffText(text=_("None chosen: the home's mix") if not state.selected else ""))
        )
        modes = [
            StaffButton(
                word=t.word,
                control=f"staff:mode:{t.mode}",
                selected=state.mode is t.mode,
                action=lambda m=t.mode: p.pick_mode(m),
            )
            for t in mode_tiles()
        ]
        box.add_widget(_row(*modes))
        box.add_widget(_row(
            StaffButton(word=_("Start music"), icon="play", control="staff:start", action=p.start),
            StaffButton(word=_("Stop session"), icon="stop", control="staff:stop", action=p.stop),
            StaffButton(word=_("This song upsets"), control="staff:distress", normal_color=theme.BUTTON_ON,
                        action=p.distress),
        ))  # fmt: skip
        box.add_widget(_row(
            StaffButton(word=_("Let the resident choose a mode"), control="staff:modes",
                        action=lambda: self.on_open_modes and self.on_open_modes()),
        ))  # fmt: skip

    def _panel_observe(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        names = scale_titles()
        for key in OBSERVATION_SCALES:
            label = StaffText(text=f"{names[key]}: {state.scales[key]}", size_hint_x=0.4, halign="left")
            slider = Slider(min=0, max=100, step=5, value=state.scales[key], cursor_size=(mm(6), mm(6)))

            def moved(_s: Slider, value: float, k: str = key, lab: StaffText = label) -> None:
                p.set_scale(k, value)
                lab.text = f"{names[k]}: {p.state.scales[k]}"

            slider.bind(value=moved)
            box.add_widget(_row(label, slider, height_mm=7))
        grid = GridLayout(cols=3, spacing=mm(1), size_hint_y=None, height=mm(23))
        titles = reaction_titles()
        for key in REACTIONS:
            b = StaffButton(
                word=titles[key], control=f"staff:react:{key}", selected=key in state.reactions, height=mm(7)
            )
            b.action = lambda k=key: p.toggle_reaction(k)
            grid.add_widget(b)
        box.add_widget(grid)
        box.add_widget(_row(StaffButton(word=_("Save observation"), icon="check", control="staff:observe_save",
                                        action=p.save_observation)))  # fmt: skip

    def _panel_reports(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        periods = report_period_titles()
        box.add_widget(_row(*(
            StaffButton(word=periods[k], control=f"staff:report:{k}", selected=state.report_period == k,
                        action=lambda k=k: p.pick_report_period(k))
            for k in REPORT_PERIODS
        )))  # fmt: skip
        who = [StaffButton(word=_("Whole home"), control="staff:report_who:home",
                           selected=state.report_who is None, action=lambda: p.pick_report_who(None))]  # fmt: skip
        for r in p.residents_page():
            who.append(StaffButton(word=r.display_name, control=f"staff:report_who:{r.resident_id}",
                                   selected=state.report_who == r.resident_id,
                                   action=lambda rid=r.resident_id: p.pick_report_who(rid)))  # fmt: skip
        if p.residents_pages() > 1:
            who.append(StaffButton(word=_("More people"), control="staff:report_more",
                                   action=p.next_residents_page))  # fmt: skip
        grid = GridLayout(cols=4, spacing=mm(1.5), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for b in who:
            b.height = mm(8)
            grid.add_widget(b)
        box.add_widget(grid)
        scroll = ScrollView(do_scroll_x=False, bar_width=mm(2), scroll_type=["bars", "content"])
        body = BoxLayout(orientation="vertical", size_hint_y=None, spacing=mm(1.5))
        body.bind(minimum_height=body.setter("height"))
        scroll.add_widget(body)
        box.add_widget(scroll)
        report = p.report_shown()
        if report is None:
            body.add_widget(FigureText(text=state.report_error or _("Working...")))
            return
        body.add_widget(FigureText(text=report.heading, bold=True))
        body.add_widget(FigureText(text=_("Charts below: slide this list up.") if report.charts
                                   else _("No charts: no music was played in this time.")))  # fmt: skip
        for label, value in report.figures:
            body.add_widget(_figure_row(label, value))
        for path in report.charts:
            body.add_widget(ReportChart(source=str(path)))

    def _panel_review(self, box: BoxLayout) -> None:
        p = self.presenter
        items = list(p.reviews())
        if not items:
            box.add_widget(StaffText(text=_("No songs are waiting for review.")))
        for item in items[:3]:
            who = item.resident_name or _("the home's mix")
            text = f"{item.song_title} - {item.artist}, " + _("for {who}, {at}").format(who=who, at=item.at)
            box.add_widget(StaffText(text=text, bold=True))
            box.add_widget(_row(
                StaffButton(word=_("Avoid for them"), control=f"staff:avoid:{item.review_id}",
                            action=lambda i=item.review_id: p.resolve(i, True)),
                StaffButton(word=_("Dismiss"), control=f"staff:dismiss:{item.review_id}",
                            action=lambda i=item.review_id: p.resolve(i, False)),
            ))  # fmt: skip

    def _panel_volume(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        grid = GridLayout(cols=3, spacing=mm(1.5), size_hint_y=None, height=mm(21.5))
        for r in p.residents_page():
            b = StaffButton(
                word=r.display_name,
                control=f"staff:cap:{r.resident_id}",
                selected=r.resident_id == state.cap_resident,
            )
            b.action = lambda rid=r.resident_id: p.pick_cap_resident(rid)
            grid.add_widget(b)
        box.add_widget(grid)
        box.add_widget(
            _row(StaffButton(word=_("More people"), control="staff:cap_more", action=p.next_residents_page))
        )
        label = StaffText(text=_("Loudest allowed: {pct}%").format(pct=state.cap_pct), size_hint_x=0.8)
        slider = Slider(min=10, max=100, step=5, value=state.cap_pct, cursor_size=(mm(6), mm(6)))

        def moved(_s: Slider, value: float) -> None:
            p.set_cap(value)
            label.text = _("Loudest allowed: {pct}%").format(pct=p.state.cap_pct)

        slider.bind(value=moved)
        box.add_widget(_row(label, slider))
        box.add_widget(_row(StaffButton(word=_("Save volume limit"), icon="check", control="staff:cap_save",
                                        action=p.save_cap)))  # fmt: skip

    def _panel_library(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        box.add_widget(StaffText(text=_("Rescan after adding or removing music on the kiosk.")))
        bar = ProgressBar(max=max(1, state.scan_total), value=state.scan_done, size_hint_y=None, height=mm(6))
        box.add_widget(bar)
        total = state.scan_total
        box.add_widget(StaffText(text=(f"{state.scan_done} / {total}" if total else "")))

        def progress(done: int, total: int) -> None:  # called on the worker thread
            Clock.schedule_once(lambda _dt: p.scan_progress(done, total), 0)

        box.add_widget(_row(StaffButton(word=_("Scanning...") if state.scanning else _("Rescan library"),
                                        control="staff:rescan", enabled=not state.scanning,
                                        action=lambda: p.rescan(progress))))  # fmt: skip

    def _panel_usb(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        box.add_widget(StaffText(text=_("Put the USB stick with the residents file in, then look for it.")))
        box.add_widget(_row(StaffButton(word=_("Look for the file"), control="staff:usb_find", enabled=not state.busy,
                                        action=p.find_usb)))  # fmt: skip
        for path in state.usb_candidates[:3]:
            box.add_widget(_row(StaffButton(word=_("Check {name}").format(name=path), control=f"staff:usb:{path}",
                                            selected=path == state.usb_path, enabled=not state.busy,
                                            action=lambda x=path: p.usb_check(x))))  # fmt: skip
        if state.usb_checked:
            box.add_widget(_row(StaffButton(word=_("Import these residents"), icon="check", control="staff:usb_import",
                                            enabled=not state.busy, action=p.usb_import)))  # fmt: skip
        if state.usb_confirm:
            box.add_widget(_row(StaffButton(word=_("Yes, apply the safety changes too"), icon="check",
                                            control="staff:usb_confirm_safety", enabled=not state.busy,
                                            action=p.usb_confirm_safety)))  # fmt: skip

    def _panel_attention(self, box: BoxLayout) -> None:
        state = self.presenter.state
        for line in state.attention[:6] or (_("Checking..."),):
            box.add_widget(StaffText(text="- " + line))
        box.add_widget(_row(StaffButton(word=_("Check again"), control="staff:attention",
                                        action=self.presenter.refresh_attention)))  # fmt: skip

    def _panel_system(self, box: BoxLayout) -> None:
        p = self.presenter
        box.add_widget(StaffText(text=_("Music stops while the kiosk restarts (about a minute).")))
        box.add_widget(_row(
            StaffButton(word=_("Restart the kiosk"), control="staff:restart", action=p.restart),
            StaffButton(word=_("Shut down"), control="staff:poweroff", action=p.power_off),
        ))  # fmt: skip
