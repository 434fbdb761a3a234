"""Staff mode screen: a menu of panels on the left, the chosen panel on the right. Leaves after 2 minutes
without a touch (back to whatever the residents see)."""

from __future__ import annotations

from collections.abc import Callable

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
    MENU,
    PANELS,
    REPORT_PERIODS,
    StaffPresenter,
    panel_titles,
    reaction_titles,
    report_period_titles,
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


def _row(*widgets: Widget, height_mm: float = theme.STAFF_TARGET_MM) -> BoxLayout:
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
        self._build_header()
        self.presenter.open_panel("session")

    def _build_header(self) -> None:
        header = self.ids.header
        header.clear_widgets()
        self._menu_button = StaffButton(word=_("Staff menu"), icon="more", control="staff:menu", size_hint_x=None,
                                        width=mm(40), orientation="horizontal", icon_mm=6,
                                        action=self.presenter.open_menu)  # fmt: skip
        self._heading = StaffText(text=self.heading, bold=True, font_size=cap(3.4), size_hint_y=1)
        self._heading.one_line = True  # where you are, on one line
        self._heading.bind(size=lambda w, _s: setattr(w, "text_size", (w.width, None)))
        header.add_widget(self._menu_button)
        header.add_widget(self._heading)
        header.add_widget(
            StaffButton(word=_("Back to music"), icon="play", control="staff:leave", normal_color=theme.BUTTON,
                        size_hint_x=None, width=mm(44), orientation="horizontal", icon_mm=6,
                        action=lambda: self.on_leave_staff())
        )  # fmt: skip

    def refresh(self) -> None:
        state = self.presenter.state
        self.heading = panel_titles()[state.panel]
        # shown in the panel instead: the USB question's, and the calm-ahead question's (one line less, so the
        # session panel fits 1280x720 at 210 DPI without its rows overlapping)
        in_panel = (state.panel == "usb" and state.usb_confirm) or (
            state.panel == "session" and bool(self.presenter.proposal_text())
        )
        self.note = "" if in_panel else state.note
        if getattr(self, "_heading", None) is not None:
            self._heading.text = self.heading
            self._menu_button.selected = state.panel == MENU
        box = self.ids.content
        box.clear_widgets()
        getattr(self, f"_panel_{state.panel}")(box)
        if state.panel != "reports":  # the reports' scroll area takes the rest itself
            box.add_widget(Widget())

    # --- panels ---
    def _panel_menu(self, box: BoxLayout) -> None:
        """Every panel, as big buttons (the list grows: other panels add themselves to PANELS)."""
        titles = panel_titles()
        grid = GridLayout(cols=3, spacing=mm(2), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for panel in PANELS:
            grid.add_widget(StaffButton(word=titles[panel], control=f"staff:{panel}",
                                        action=lambda p=panel: self.presenter.open_panel(p)))  # fmt: skip
        box.add_widget(grid)

    def _residents_grid(self, control: str, chosen: Callable[[str], bool], act: Callable[[str], None],
                        first: list[StaffButton] | None = None) -> GridLayout:  # fmt: skip
        """Residents as a 4-wide grid of buttons, "More people" as its last cell only when there are more."""
        p = self.presenter
        grid = GridLayout(cols=4, spacing=mm(1.5), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for b in first or []:
            grid.add_widget(b)
        for r in p.residents_page():
            grid.add_widget(StaffButton(word=r.display_name, control=f"{control}:{r.resident_id}",
                                        selected=chosen(r.resident_id),
                                        action=lambda rid=r.resident_id: act(rid)))  # fmt: skip
        if p.residents_pages() > 1:
            grid.add_widget(StaffButton(word=_("More people ({page}/{pages})").format(
                page=p.state.residents_page + 1, pages=p.residents_pages()), icon="more", icon_mm=0,
                control=f"{control}_more", action=p.next_residents_page))  # fmt: skip
        return grid

    def _panel_session(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        # what plays and for whom; beside it, apart from every other button, the one that stops it as upsetting
        now = StaffText(text=p.now_line(), bold=True, font_size=cap(3.0), size_hint_y=1)
        now.bind(size=lambda w, _s: setattr(w, "text_size", (w.width, None)))
        distress = StaffButton(word=_("Stop: this song upsets"), icon="stop", control="staff:distress",
                               orientation="horizontal", icon_mm=6, size_hint_x=None, width=mm(58),
                               normal_color=theme.DISTRESS, text_color=theme.ON_DISTRESS,
                               icon_color=theme.ON_DISTRESS, edge_color=theme.TEXT, enabled=p.playing(),
                               action=p.distress)  # fmt: skip
        top = _row(now, Widget(size_hint_x=None, width=mm(6)), distress, height_mm=theme.STAFF_TARGET_MM)
        box.add_widget(top)
        box.add_widget(
            self._residents_grid("staff:who", lambda rid: rid in state.selected, p.toggle_resident)
        )
        # the modes, then (a gap apart) "Restless now" for the one chosen resident: one row, so the panel fits
        # 800x480; a calm-ahead question takes this row's place until answered
        modes = _row(*(
            StaffButton(word=t.word, control=f"staff:mode:{t.mode}", selected=state.mode is t.mode,
                        action=lambda m=t.mode: p.pick_mode(m), size_hint_x=0.9)
            for t in mode_tiles()
        ), Widget(size_hint_x=0.12),
            StaffButton(word=_("Restless now"), control="staff:restless", action=lambda: p.restless(False)),
            StaffButton(word=_("Restless: start Relax"), control="staff:restless_relax", size_hint_x=1.35,
                        action=lambda: p.restless(True)),
            height_mm=theme.STAFF_TARGET_MM)  # fmt: skip
        if not p.proposal_text():
            box.add_widget(modes)
        box.add_widget(_row(
            StaffButton(word=p.start_word(), icon="play", control="staff:start", action=p.start, size_hint_x=1.4,
                        orientation="horizontal", icon_mm=5),
            StaffButton(word=_("Stop session"), icon="stop", control="staff:stop", action=p.stop,
                        orientation="horizontal", icon_mm=5),
            StaffButton(word=_("Let the resident choose a mode"), control="staff:modes", size_hint_x=1.4,
                        action=lambda: self.on_open_modes and self.on_open_modes()),
            height_mm=theme.STAFF_TARGET_MM,
        ))  # fmt: skip
        self._proposal_row(box)

    def _proposal_row(self, box: BoxLayout) -> None:
        p = self.presenter
        text = p.proposal_text()
        if text:
            if p.state.note:  # "Noted: ... restless now." first, then the question
                text = f"{p.state.note}\n{text}"
            question = StaffText(text=text, size_hint_x=0.62)
            question.bind(size=lambda w, _s: setattr(w, "text_size", (w.width, None)))
            box.add_widget(_row(
                question,
                StaffButton(word=_("Yes, add it"), icon="check", control="staff:calm_accept",
                            action=p.accept_proposal, size_hint_x=0.19),
                StaffButton(word=_("Not now"), control="staff:calm_later",
                            action=p.dismiss_proposal, size_hint_x=0.19),
            height_mm=theme.STAFF_TARGET_MM))  # fmt: skip

    def _panel_observe(self, box: BoxLayout) -> None:
        """Who and when, five scales that start unset (no handle shown until touched), the reactions, and
        Save, which waits until something was set."""
        p, state = self.presenter, self.presenter.state
        about = StaffText(text=p.observed_text(), bold=True, size_hint_y=1)
        about.bind(size=lambda w, _s: setattr(w, "text_size", (w.width, None)))
        save = StaffButton(word=p.save_word(), icon="check", control="staff:observe_save", size_hint_x=0.7,
                           enabled=p.can_save(), action=p.save_observation)  # fmt: skip
        box.add_widget(_row(about, save, height_mm=theme.STAFF_TARGET_MM))
        handle = (mm(5.2), mm(5.2))
        row_mm = 5.2  # five scales fit 1280x720 at 210 DPI below the header without pushing Save into it
        scales = BoxLayout(
            orientation="vertical", size_hint_y=None, height=mm(row_mm) * len(OBSERVATION_SCALES)
        )
        for key in OBSERVATION_SCALES:
            label = StaffText(text=p.scale_text(key), size_hint_x=0.5, halign="left")
            value = state.scales[key]
            slider = Slider(min=0, max=100, step=5, value=50 if value is None else value,
                            cursor_size=handle if value is not None else (0, 0))  # fmt: skip

            def moved(s: Slider, k: str = key, lab: StaffText = label) -> None:
                p.set_scale(k, s.value)
                lab.text = p.scale_text(k)
                s.cursor_size = handle
                save.enabled, save.word = p.can_save(), p.save_word()

            slider.bind(value=lambda s, _v, m=moved: m(s))
            slider.bind(on_touch_up=lambda s, t, m=moved: t.grab_current is s and m(s))
            scales.add_widget(_row(label, slider, height_mm=row_mm))
        box.add_widget(scales)
        grid = GridLayout(cols=5, spacing=mm(1.5), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        titles = reaction_titles()
        for key in REACTIONS:
            b = StaffButton(word=titles[key], control=f"staff:react:{key}", selected=key in state.reactions)
            b.action = lambda k=key: p.toggle_reaction(k)
            grid.add_widget(b)
        box.add_widget(grid)

    def _panel_reports(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        periods = report_period_titles()
        box.add_widget(_row(*(
            StaffButton(word=periods[k], control=f"staff:report:{k}", selected=state.report_period == k,
                        action=lambda k=k: p.pick_report_period(k))
            for k in REPORT_PERIODS
        ), height_mm=theme.STAFF_TARGET_MM))  # fmt: skip
        home = StaffButton(word=_("Whole home"), control="staff:report_who:home",
                           selected=state.report_who is None, action=lambda: p.pick_report_who(None))  # fmt: skip
        box.add_widget(self._residents_grid("staff:report_who", lambda rid: state.report_who == rid,
                                            p.pick_report_who, first=[home]))  # fmt: skip
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
        if report.sentences:
            body.add_widget(FigureText(text=_("What works"), bold=True))
            for sentence in report.sentences:
                body.add_widget(FigureText(text="- " + sentence))
        if report.resident_id and report.proposal and p.proposal_text():
            self._proposal_row(body)
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
        for item in items[:2]:
            who = item.resident_name or _("the home's mix")
            text = _("{title} by {artist}: stopped as upsetting {when}, for {who}.").format(
                title=item.song_title, artist=item.artist or "?", when=p.when_words(item.at), who=who
            )
            box.add_widget(StaffText(text=text, bold=True))
            buttons = [StaffButton(word=_("Keep it"), control=f"staff:dismiss:{item.review_id}",
                                   action=lambda i=item.review_id: p.resolve(i, False))]  # fmt: skip
            if p.avoid_word(item):
                buttons.insert(0, StaffButton(word=p.avoid_word(item), icon="cross", orientation="horizontal",
                                              icon_mm=5, control=f"staff:avoid:{item.review_id}",
                                              action=lambda i=item.review_id: p.resolve(i, True)))  # fmt: skip
            box.add_widget(_row(*buttons, height_mm=theme.STAFF_TARGET_MM))
        if len(items) > 2:
            box.add_widget(StaffText(text=_("{n} more after these.").format(n=len(items) - 2)))

    def _panel_volume(self, box: BoxLayout) -> None:
        p, state = self.presenter, self.presenter.state
        box.add_widget(self._residents_grid("staff:cap", lambda rid: rid == state.cap_resident,
                                            p.pick_cap_resident))  # fmt: skip
        # the label right beside its slider, both on one row
        label = StaffText(text=_("Loudest allowed: {pct}%").format(pct=state.cap_pct), size_hint_x=None,
                          width=mm(46), halign="right", bold=True, pos_hint={"center_y": 0.5})  # fmt: skip
        slider = Slider(min=10, max=100, step=5, value=state.cap_pct, cursor_size=(mm(7), mm(7)))

        def moved(_s: Slider, value: float) -> None:
            p.set_cap(value)
            label.text = _("Loudest allowed: {pct}%").format(pct=p.state.cap_pct)

        slider.bind(value=moved)
        box.add_widget(_row(label, slider, height_mm=theme.STAFF_TARGET_MM))
        box.add_widget(_row(StaffButton(word=_("Save volume limit"), icon="check", control="staff:cap_save",
                                        orientation="horizontal", icon_mm=5, action=p.save_cap),
                            height_mm=theme.STAFF_TARGET_MM))  # fmt: skip

    def _panel_voice(self, box: BoxLayout) -> None:
        from kiosk.ui.screens.staff_voice import VoicePanel

        panel = VoicePanel(presenter=self.presenter.voice)
        panel.fill()
        box.add_widget(panel)

    def _panel_clock(self, box: BoxLayout) -> None:
        from kiosk.ui.screens.staff_clock import ClockPanel

        panel = ClockPanel(presenter=self.presenter.clock)
        panel.fill()
        box.add_widget(panel)

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
        for path in state.usb_candidates[:2]:
            box.add_widget(_row(StaffButton(word=_("Check {name}").format(name=p.usb_label(path)),
                                            control=f"staff:usb:{path}",
                                            selected=path == state.usb_path, enabled=not state.busy,
                                            action=lambda x=path: p.usb_check(x))))  # fmt: skip
        if state.usb_checked:
            box.add_widget(_row(StaffButton(word=_("Import these residents"), icon="check", control="staff:usb_import",
                                            enabled=not state.busy, action=p.usb_import)))  # fmt: skip
        if state.usb_confirm:  # what the import would change that lowers safety, right above the confirmation
            box.add_widget(StaffText(text=state.note, color=theme.WARN, bold=True))
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
