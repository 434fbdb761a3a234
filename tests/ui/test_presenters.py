"""Presenters and touch rules as plain Python (no window): what a tap does, what a screen shows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.app.staff_api import ImportResult
from kiosk.devtools.demo import DemoResidentStore, DemoSessionControl, DemoStaffActions, demo_residents
from kiosk.domain.intents import Intent, SessionView, Source, Status
from kiosk.domain.models import Mode
from kiosk.ui import theme
from kiosk.ui.pin_check import PinGuard, make_hash, verify_pin
from kiosk.ui.router import Router
from kiosk.ui.screens import modes_presenter as mp
from kiosk.ui.screens.idle_presenter import IdlePresenter
from kiosk.ui.screens.now_playing_presenter import NowPlayingPresenter
from kiosk.ui.screens.residents_presenter import ResidentsPresenter, paginate
from kiosk.ui.screens.session_end_presenter import SessionEndPresenter
from kiosk.ui.screens.staff_pin_presenter import StaffPinPresenter
from kiosk.ui.screens.staff_presenter import StaffPresenter
from kiosk.ui.touch import LongPress, TapFilter
from tests.fakes import FakeClock


class Hand:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def sync_bg(fn, done):  # runs "background" work inline: presenters must not care
    try:
        result = fn()
    except Exception as exc:
        result = exc
    done(result)


@pytest.fixture
def control(tmp_path: Path) -> DemoSessionControl:
    return DemoSessionControl(now=Hand(), lyrics_dir=tmp_path)


def test_idle_tap_personal_posts_more_music_and_lounge_opens_picker(control, tmp_path):
    router = Router(kiosk_mode="personal")
    changes = []
    p = IdlePresenter(control, router, FakeClock(), lambda: changes.append(1))
    p.tap()
    assert control.posted == [(Intent.MORE_MUSIC, Source.TOUCH, None)]
    assert router.screen_for(control.view()) == "now_playing"

    lounge = Router(kiosk_mode="lounge")
    control2 = DemoSessionControl(now=Hand(), lyrics_dir=tmp_path)
    IdlePresenter(control2, lounge, FakeClock(), lambda: changes.append(1)).tap()
    assert control2.posted == []  # nothing starts before someone is chosen
    assert lounge.screen_for(control2.view()) == "residents"
    assert changes


def test_idle_clock_hidden_while_clock_untrusted(control):
    shown = IdlePresenter(control, Router(), FakeClock(trusted=True), lambda: None).clock_lines()
    hidden = IdlePresenter(control, Router(), FakeClock(trusted=False), lambda: None).clock_lines()
    assert shown[0] and "2026" in shown[1]
    assert hidden == ("", "")


def test_picker_pages_never_exceed_five_choices_and_everyone_is_on_every_page(control, tmp_path):
    people = [replace(demo_residents()[0], resident_id=f"r{i}", first_name=f"P{i:02d}") for i in range(11)]
    assert [len(p) for p in paginate(people)] == [3, 3, 3, 2]
    assert [len(p) for p in paginate(people[:3])] == [3]
    router = Router()
    p = ResidentsPresenter(control, router, lambda: people, tmp_path, lambda: None)
    seen = set()
    for _page in range(4):
        tiles = p.tiles()
        assert len(tiles) <= 5
        assert tiles[0].kind == "everyone"  # on every page
        assert tiles[-1].kind == "more"
        seen |= {t.resident_id for t in tiles if t.kind == "resident"}
        p.choose(tiles[-1])
    assert seen == {f"r{i}" for i in range(11)}
    assert p.page % 4 == 0  # "More people" on the last page goes back to the first
    few = ResidentsPresenter(control, router, lambda: people[:3], tmp_path, lambda: None)
    assert [t.kind for t in few.tiles()] == ["everyone", "resident", "resident", "resident"]  # no pager


def test_picker_order_room_then_schedule_then_most_recent_listener():
    from kiosk.domain.models import Mode, ScheduleSlot
    from kiosk.ui.screens.residents_presenter import likely_here_first

    base = demo_residents()[0]
    morning = (ScheduleSlot(9 * 60, 10 * 60, Mode.LISTEN),)
    people = [
        replace(base, resident_id="a", first_name="Ada"),
        replace(base, resident_id="b", first_name="Bea", schedule=morning),
        replace(base, resident_id="c", first_name="Cyd", room="Rose lounge"),
        replace(base, resident_id="d", first_name="Dot"),
        replace(base, resident_id="e", first_name="Eve"),
    ]
    recent = {"e": "2026-06-01T08:00:00+00:00", "a": "2026-05-30T08:00:00+00:00"}
    order = likely_here_first(people, room="rose LOUNGE", minute_of_day=9 * 60 + 30, last_listened=recent)
    assert [r.first_name for r in order] == ["Cyd", "Bea", "Eve", "Ada", "Dot"]
    at_noon = likely_here_first(people, room="", minute_of_day=12 * 60, last_listened={})
    assert [r.first_name for r in at_noon] == ["Ada", "Bea", "Cyd", "Dot", "Eve"]  # nothing known: by name


def test_picker_remembers_who_was_just_chosen(control, tmp_path):
    people = [replace(demo_residents()[0], resident_id=f"r{i}", first_name=f"P{i}") for i in range(6)]
    p = ResidentsPresenter(control, Router(), lambda: people, tmp_path, lambda: None,
                           now_iso=lambda: "2026-06-01T09:00:00+00:00")  # fmt: skip
    p.page = 1
    last = [t for t in p.tiles() if t.kind == "resident"][-1]
    p.choose(last)
    assert [t.resident_id for t in p.tiles() if t.kind == "resident"][0] == last.resident_id


def test_picker_choice_starts_music_for_that_resident(control, tmp_path):
    router = Router(picker_open=True)
    p = ResidentsPresenter(control, router, DemoResidentStore().all, tmp_path, lambda: None)
    resident = next(t for t in p.tiles() if t.kind == "resident")
    p.choose(resident)
    assert control.posted[0] == (Intent.CHOOSE_RESIDENTS, Source.TOUCH, (resident.resident_id,))
    assert control.view().status is Status.PLAYING
    assert router.screen_for(control.view()) == "now_playing" and not router.picker_open


def test_picker_photo_outside_data_folder_is_ignored(control, tmp_path):
    photo = tmp_path / "photos" / "a.png"
    photo.parent.mkdir()
    photo.write_bytes(b"png")
    inside = replace(demo_residents()[0], photo="photos/a.png")
    outside = replace(demo_residents()[1], photo="../../etc/passwd")
    p = ResidentsPresenter(control, Router(), lambda: [inside, outside], tmp_path, lambda: None)
    photos = {t.label: t.photo for t in p.tiles() if t.kind == "resident"}
    assert photos[inside.display_name] == str(photo.resolve())
    assert photos[outside.display_name] == ""


def test_now_playing_controls_fixed_order_and_like_shows_at_once(control):
    control.show(Status.PLAYING, song=0)
    p = NowPlayingPresenter(control, lambda: None)
    names = [c.name for c in p.controls(control.view())]
    assert names == ["play_pause", "next", "like", "quieter", "louder"]
    frozen = control.view()  # the engine has not answered yet: the liked state must show anyway
    p.press("like")
    assert p.controls(frozen)[2].on
    assert p.controls(frozen)[2].word == "I like it!"
    p.press("play_pause")
    assert control.view().status is Status.PAUSED
    assert p.controls(control.view())[0].word == "Play"
    assert [i for i, _s, _a in control.posted] == [Intent.LIKE, Intent.PLAY_PAUSE]


def test_volume_fraction_is_share_of_cap():
    p = NowPlayingPresenter(None, lambda: None)  # type: ignore[arg-type]
    assert p.volume_fraction(SessionView(Status.PLAYING, volume_pct=40, volume_cap_pct=80)) == 0.5
    assert p.volume_fraction(SessionView(Status.PLAYING, volume_pct=90, volume_cap_pct=80)) == 1.0


def test_session_end_more_music(control):
    control.show(Status.ENDED)
    SessionEndPresenter(control).more_music()
    assert control.posted == [(Intent.MORE_MUSIC, Source.TOUCH, None)]
    assert control.view().status is Status.PLAYING


def test_breathing_is_six_breaths_a_minute_and_smooth():
    assert mp.breath_scale(0) == pytest.approx(0)
    assert mp.breath_scale(5) == pytest.approx(1)
    assert mp.breath_scale(10) == pytest.approx(0)
    steps = [abs(mp.breath_scale(t / 20) - mp.breath_scale((t + 1) / 20)) for t in range(400)]
    assert max(steps) < 0.02  # no jumps at 20 frames a second: it grows and shrinks, never blinks
    assert mp.breath_word(1) == "Breathe in" and mp.breath_word(6) == "Breathe out"


def test_move_prompts_change_every_15_s():
    assert mp.move_prompt(0) == mp.move_prompt(14_999)
    assert mp.move_prompt(15_000) != mp.move_prompt(0)


def test_sing_along_synced_and_paged(control, tmp_path):
    p = mp.ModesPresenter(control, tmp_path, lambda: None)
    control.show(Status.PLAYING, mode=Mode.SING, song=2, position_ms=6_000)
    prev, now, nxt = p.lyric_lines(control.view())
    assert now.startswith("Sunday in the morning") and nxt.startswith("Roses")
    control.show(Status.PLAYING, mode=Mode.SING, song=5, position_ms=0)
    _, page1, _ = p.lyric_lines(control.view())
    control.show(Status.PLAYING, mode=Mode.SING, song=5, position_ms=89_000)
    _, last, _ = p.lyric_lines(control.view())
    assert page1.startswith("Down by the river where") and "boatmen" in last and page1 != last
    control.show(Status.PLAYING, mode=Mode.SING, song=0)
    assert p.lyric_lines(control.view())[1] == "No words for this song"


def test_mode_tile_posts_choose_mode_and_closes(control, tmp_path):
    closed = []
    p = mp.ModesPresenter(control, tmp_path, lambda: closed.append(1))
    assert len(p.tiles()) == 4
    p.choose(Mode.RELAX)
    assert control.posted[0] == (Intent.CHOOSE_MODE, Source.TOUCH, Mode.RELAX)
    assert control.posted[1][0] is Intent.MORE_MUSIC and closed


def test_tap_filter_counts_repeats_within_400_ms_once_per_control():
    clock = Hand()
    f = TapFilter(0.4, clock)
    assert f.accept("next")
    clock.t += 0.39
    assert not f.accept("next")
    assert f.accept("louder")  # another control is another action
    clock.t += 0.02  # 0.41 s after the first accepted tap
    assert f.accept("next")


def test_long_press_needs_three_seconds():
    clock = Hand()
    lp = LongPress(3.0, clock)
    lp.down()
    clock.t += 2.9
    assert not lp.poll()
    clock.t += 0.1
    assert lp.poll() and not lp.poll()
    lp.down()
    lp.up()
    clock.t += 5
    assert not lp.poll()


def test_pin_hash_round_trip_and_damaged_hash():
    line = make_hash("2468")
    assert verify_pin("2468", line)
    assert not verify_pin("2469", line)
    assert not verify_pin("2468", "")
    assert not verify_pin("2468", "scrypt$16$8$1$zz$00")


def test_pin_pad_five_wrong_tries_lock_for_five_minutes(caplog):
    clock = Hand()
    events: list[str] = []
    guard = PinGuard(clock, on_event=events.append)
    opened = []
    p = StaffPinPresenter(make_hash("2468"), guard, sync_bg, lambda: opened.append(1), lambda: None,
                          lambda: None)  # fmt: skip
    for _ in range(5):
        for d in "1111":
            p.digit(d)
        p.submit()
    assert p.locked() and "Too many wrong tries" in p.message() and "5 min" in p.message()
    for d in "2468":
        p.digit(d)
    p.submit()
    assert not opened and p.digits == ""  # locked: even the right PIN does nothing
    clock.t += 299
    assert p.locked()
    clock.t += 2
    assert not p.locked()
    for d in "2468":
        p.digit(d)
    p.submit()
    assert opened
    assert events == ["login_failed"] * 5 + ["lockout", "login"]
    assert "2468" not in caplog.text and "1111" not in caplog.text  # nothing personal or secret logged


def test_pin_pad_without_configured_pin_says_so():
    p = StaffPinPresenter("", PinGuard(Hand()), sync_bg, lambda: None, lambda: None, lambda: None)
    assert p.locked() and "No staff PIN" in p.message()


def test_staff_presenter_observation_review_volume_usb(control):
    store = DemoResidentStore()
    staff = DemoStaffActions(control, store, delay_s=0)
    p = StaffPresenter(staff, sync_bg, lambda: None)
    rid = p.residents()[0].resident_id
    p.toggle_resident(rid)
    p.pick_mode(Mode.MOVE)
    p.start()
    assert control.view().status is Status.PLAYING and control.view().mode is Mode.MOVE
    p.distress()
    assert [r.song_title for r in p.reviews()] and control.view().status is Status.CALM
    assert "session ended" in p.state.note  # what really happened, not "song stopped"
    p.resolve(p.reviews()[0].review_id, True)
    assert staff.resolved[-1][1] is True and not p.reviews()
    assert p.observed_text().startswith("About " + p.residents()[0].display_name + ", music from ")
    assert all(v is None for v in p.state.scales.values()) and "not set" in p.scale_text("interest")
    assert not p.can_save() and "first" in p.save_word()
    p.save_observation()  # an untouched form stores nothing
    assert staff.observations == []
    p.set_scale("enjoyment", 83)
    assert p.can_save() and p.scale_text("enjoyment").endswith(": 83")
    p.toggle_reaction("sang")
    p.toggle_reaction("smiled")
    p.save_observation()
    session_id, scales, reactions = staff.observations[-1]
    assert session_id == control.session_id and scales == {"enjoyment": 83}  # only what a person set
    assert reactions == ["smiled", "sang"]
    assert not p.can_save() and all(v is None for v in p.state.scales.values())  # fresh for the next one
    p.toggle_reaction("calm")
    assert p.can_save()  # a reaction alone is worth saving
    p.open_panel("volume")
    p.pick_cap_resident(rid)
    p.set_cap(63)
    p.save_cap()
    assert store.get(rid).volume_cap_pct == 65  # type: ignore[union-attr]
    p.find_usb()
    assert p.state.usb_candidates
    p.usb_import()  # not checked yet: nothing happens
    assert p.state.usb_result is None
    p.usb_check(p.state.usb_candidates[0])
    assert p.state.usb_checked and "would be imported" in p.state.note
    p.usb_import()
    assert "imported from" in p.state.note and not p.state.usb_checked
    progress = []
    p.rescan(lambda d, t: progress.append((d, t)))
    assert progress[-1] == (20, 20) and "20 songs" in p.state.note and not p.state.scanning


def test_staff_background_failure_becomes_a_message(control):
    class Broken(DemoStaffActions):
        def attention_notes(self):
            raise OSError("disk gone")

    p = StaffPresenter(Broken(control, DemoResidentStore(), delay_s=0), sync_bg, lambda: None)
    p.open_panel("attention")
    assert "disk gone" in p.state.attention[0]


def test_theme_colours_meet_aaa_contrast_in_every_button_state():
    for bg in (theme.BACKGROUND, theme.BUTTON, theme.BUTTON_PRESSED, theme.BUTTON_ON, theme.TILE, theme.PANEL,
               theme.STAFF_BG, theme.STAFF_BUTTON, *(theme.rgb(c) for c in theme.DECADE_COLOURS.values())):  # fmt: skip
        assert theme.contrast(theme.TEXT, bg) >= 7, bg
        assert theme.contrast(theme.TEXT_SOFT, bg) >= 7, bg
    assert theme.contrast(theme.rgb("#777777"), theme.rgb("#FFFFFF")) < 7  # the check can fail


def test_kiosk_settings():
    from kiosk.config import DisplayConfig
    from kiosk.ui.kivy_setup import kiosk_settings

    s = kiosk_settings(DisplayConfig(), windowed=False)
    assert s[("input", "mouse")] == "mouse,disable_on_activity"
    assert s[("graphics", "allow_screensaver")] == "0"
    assert s[("graphics", "fullscreen")] == "auto" and s[("graphics", "show_cursor")] == "0"
    assert s[("graphics", "borderless")] == "1" and s[("kivy", "exit_on_escape")] == "0"
    assert 20 <= int(s[("graphics", "maxfps")]) <= 60
    assert kiosk_settings(DisplayConfig(), windowed=True)[("graphics", "show_cursor")] == "1"


def test_strings_go_through_gettext(tmp_path, control):
    import shutil
    import subprocess

    from kiosk.ui import i18n

    if not shutil.which("msgfmt"):
        pytest.skip("gettext (msgfmt) not installed: scripts/apt-packages.txt")
    po = tmp_path / "de" / "LC_MESSAGES" / "encore.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Touch for music"\nmsgstr "Bitte berühren: Musik"\n\nmsgid "Monday"\nmsgstr "Montag"\n',
                  encoding="utf-8")  # fmt: skip
    subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    try:
        i18n.set_language("de", tmp_path)
        p = IdlePresenter(control, Router(), FakeClock(), lambda: None)
        assert p.prompt() == "Bitte berühren: Musik"
        assert p.clock_lines()[1].startswith("Montag")  # 1 June 2026 is a Monday
    finally:
        i18n.set_language(None)
    assert p.prompt() == "Touch for music"


def test_pot_template_lists_resident_strings():
    pot = Path(__file__).resolve().parents[2] / "kiosk" / "ui" / "locale" / "encore.pot"
    text = pot.read_text(encoding="utf-8")
    for s in ("Touch for music", "More people", "Another song", "Breathe in", "Staff PIN", "Monday"):
        assert f'msgid "{s}"' in text


def test_attention_list_starts_with_the_sessions_message_for_staff(control):
    from dataclasses import replace as dc_replace

    control._view = dc_replace(control.view(), message="5 songs in a row could not be played")
    p = StaffPresenter(DemoStaffActions(control, DemoResidentStore(), delay_s=0), sync_bg, lambda: None,
                       lambda: control.view().message)  # fmt: skip
    p.open_panel("attention")
    assert p.state.attention[0] == "5 songs in a row could not be played"
    assert len(p.state.attention) == 2


def test_staff_reports_today_and_week_for_home_and_one_resident(control, tmp_path):
    from datetime import date

    from kiosk.devtools.demo import demo_rollups

    day = date(2026, 6, 3)
    store = DemoResidentStore()
    staff = DemoStaffActions(control, store, delay_s=0, today=lambda: day)
    changes = []
    p = StaffPresenter(staff, sync_bg, lambda: changes.append(1))
    p.open_panel("reports")
    week = demo_rollups(store.all(), day)
    today = [r for r in week if r["started_at"].startswith("2026-06-03")]
    shown = p.report_shown()
    assert shown is not None and (shown.period, shown.resident_id) == ("today", None)
    figures = dict(shown.figures)
    assert figures["Sessions"] == str(len(today)) and shown.heading == "Whole home, 3 Jun"
    assert [c.name for c in shown.charts] == ["dash-today-home-hours.png"]
    assert all(c.stat().st_size > 1000 for c in shown.charts)
    p.pick_report_period("7d")
    shown = p.report_shown()
    assert dict(shown.figures)["Sessions"] == str(len(week)) and shown.heading == "Whole home, 28 May - 3 Jun"
    assert dict(shown.figures)["No music for a week"] == "Ivy (demo-7)"  # the demo's one who never listens
    rid = week[0]["resident_ids"][0]
    p.pick_report_who(rid)
    shown = p.report_shown()
    mine = [r for r in week if rid in r["resident_ids"]]
    assert shown.resident_id == rid and dict(shown.figures)["Sessions"] == str(len(mine))
    assert shown.heading.startswith(store.get(rid).display_name)
    assert len(shown.charts) == 3 and not p.state.report_loading and changes


def test_staff_reports_one_worker_at_a_time_and_the_latest_choice_wins(control):
    from kiosk.app.staff_api import Dashboard

    asked, queue = [], []

    class Counting(DemoStaffActions):
        def dashboard(self, period, resident_id, out_dir=None):
            asked.append((period, resident_id))
            return Dashboard(period, resident_id, f"{period} {resident_id}", (("Sessions", "1"),))

    def later(fn, done):  # a worker that finishes only when the test says so
        queue.append((fn, done))

    p = StaffPresenter(Counting(control, DemoResidentStore(), delay_s=0), later, lambda: None)
    p.open_panel("reports")
    p.pick_report_period("7d")
    p.pick_report_who("r2")
    assert len(queue) == 1 and p.report_shown() is None  # "Working...": nothing old or half-right shown
    fn, done = queue.pop()
    done(fn())  # the first answer is for "today, whole home": not shown, the wanted one is asked for
    assert p.report_shown() is None and len(queue) == 1
    fn, done = queue.pop()
    done(fn())
    assert asked == [("today", None), ("7d", "r2")] and p.report_shown().heading == "7d r2"


def test_staff_reports_failure_becomes_a_message(control):
    class Broken(DemoStaffActions):
        def dashboard(self, period, resident_id, out_dir=None):
            raise OSError("disk full")

    p = StaffPresenter(Broken(control, DemoResidentStore(), delay_s=0), sync_bg, lambda: None)
    p.open_panel("reports")
    assert "disk full" in p.state.report_error and p.report_shown() is None and not p.state.report_loading


def test_usb_import_lowering_safety_asks_a_second_confirmation(control):
    """Issue 16: the import stops on changes lowering safety; a second button applies them."""
    calls = []

    class Safety(DemoStaffActions):
        def usb_import(self, path, dry_run, accept_safety=False):
            calls.append((dry_run, accept_safety))
            if dry_run or accept_safety:
                return ImportResult(ok=True, count=1, messages=("ok",))
            return ImportResult(
                False, 0, ("Not imported yet: 1 change(s) lower safety",), needs_confirmation=True
            )

    p = StaffPresenter(Safety(control, DemoResidentStore(), delay_s=0), sync_bg, lambda: None)
    p.usb_confirm_safety()  # nothing to confirm yet: nothing happens
    assert calls == []
    p.usb_check("/media/stick/residents.csv")
    p.usb_import()
    assert p.state.usb_confirm and "lower safety" in p.state.note
    p.usb_confirm_safety()
    assert calls == [(True, False), (False, False), (False, True)] and not p.state.usb_confirm


def test_staff_presenter_restless_now_and_calm_ahead(control):
    staff = DemoStaffActions(control, DemoResidentStore(), delay_s=0)
    p = StaffPresenter(staff, sync_bg, lambda: None)
    p.restless(False)
    assert "Choose the one resident" in p.state.note and staff.restless == []
    people = [r for r in p.residents() if r.journaled]
    rid, name = people[0].resident_id, people[0].display_name
    p.toggle_resident(rid)
    p.restless(False)
    p.restless(False)
    assert p.proposal_text() == "" and f"Noted: {name} restless now." == p.state.note
    p.restless(True)  # the third note: the demo proposes; Relax starts too
    assert control.posted[-1][0] is Intent.CHOOSE_RESIDENTS
    assert "Relax music started." in p.state.note
    assert p.proposal_text() == f"{name}: often restless then. Relax daily 14:30-15:30?"
    p.accept_proposal()
    assert staff.accepted == [(rid, "14:30-15:30 relax")] and p.proposal_text() == ""
    refused = [r for r in p.residents() if not r.journaled]
    if refused:
        p.state.selected = {refused[0].resident_id}
        p.restless(True)
        assert "chose not to be recorded" in p.state.note and refused[0].resident_id not in staff.restless


def test_louder_at_the_limit_says_so_and_quieter_at_the_floor_too(control):
    control.show(Status.PLAYING, song=0)
    p = NowPlayingPresenter(control, lambda: None)
    words = [p.press("louder") for _ in range(6)]  # 40 % -> the cap of 80 % in steps of 10
    assert words[:4] == ["Louder"] * 4
    assert words[4:] == ["That is as loud as it goes"] * 2
    assert control.view().volume_pct == control.view().volume_cap_pct == 80
    assert [i for i, _s, _a in control.posted].count(Intent.VOLUME_UP) == 6  # still journaled
    words = [p.press("quieter") for _ in range(9)]
    assert words[-1] == "That is as quiet as it goes" and words[0] == "Quieter"


def test_paused_lights_play_at_once(control):
    control.show(Status.PLAYING, song=0)
    p = NowPlayingPresenter(control, lambda: None)
    assert not p.controls(control.view())[0].on
    assert p.press("play_pause") == "Paused"
    play = p.controls(control.view())[0]
    assert (play.word, play.icon, play.on) == ("Play", "play", True)
    assert p.state_word(control.view()) == "Paused"


def test_move_pictures_and_words_come_from_one_table_of_seated_movements():
    """Every seated picture has its row, and every row's words name what its picture shows (a star jump under
    "Tap your feet" cannot come back)."""
    from kiosk.ui.icons import ICONS

    rows = mp.SEATED_MOVES
    pictures = [picture for _word, picture in rows]
    assert sorted(pictures) == sorted(n for n in ICONS if n.startswith("seated_"))  # no picture without words
    assert len(set(pictures)) == len(pictures)
    seated_words = {"tap", "feet", "clap", "hands", "sway", "roll", "shoulder", "circle", "arms", "nod"}
    for word, picture in rows:
        parts = picture.removeprefix("seated_").split("_")
        assert all(part in word.lower() for part in parts), (word, picture)
        assert parts and set(parts) <= seated_words, picture
        assert not {"jump", "stand", "kneel", "step"} & set(word.lower().split())
    assert ICONS["move"] in {ICONS[p] for p in pictures}  # the Move tile shows a seated person too
    assert [m.word for m in mp.movements()] == mp.move_prompts()
    assert mp.movement_at(0).picture == pictures[0] and mp.movement_at(15_000).picture == pictures[1]


def test_relax_tile_shows_a_leaf():
    assert {t.mode: t.icon for t in mp.mode_tiles()}[Mode.RELAX] == "leaf"


def test_review_times_in_local_words():
    from datetime import UTC, datetime

    from kiosk.ui.screens.staff_presenter import when_words

    now = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
    assert when_words("2026-12-01T19:57:02+00:00", now) == "today at 7:57 pm"
    assert when_words("2026-11-30T09:05:00+00:00", now) == "yesterday at 9:05 am"
    assert when_words("2026-11-24T00:30:00+00:00", now) == "Tuesday 24 November at 12:30 am"
    assert when_words("not a time", now) == "not a time"


def test_volume_shows_one_step_per_press_up_to_the_limit(control):
    from dataclasses import replace as rep

    p = NowPlayingPresenter(control, lambda: None)
    view = rep(control.view(), volume_pct=40, volume_cap_pct=70)
    assert p.volume_steps(view) == (4, 7)
    assert p.volume_steps(rep(view, volume_pct=70)) == (7, 7)
    assert p.volume_steps(rep(view, volume_pct=0, volume_cap_pct=100)) == (0, 10)


def test_staff_session_says_what_plays_for_whom_and_usb_shows_stick_and_file(control):
    staff = DemoStaffActions(control, DemoResidentStore(), delay_s=0)
    p = StaffPresenter(staff, sync_bg, lambda: None, now_view=control.view)
    assert p.now_line() == "Nothing is playing." and not p.playing()
    first, second = (r.resident_id for r in p.residents()[:2])
    control.show(Status.PLAYING, song=1, resident_ids=(first, second))
    names = [r.display_name for r in p.residents()[:2]]
    song = control.view().song.title
    assert p.now_line() == f"Now: {song}, for {names[0]} and {names[1]}" and p.playing()
    control.show(Status.PLAYING, song=1, resident_ids=())
    assert p.now_line() == f"Now: {song}, the home's mix"
    assert p.start_word() == "Start music: the home's mix"
    p.pick_mode(Mode.PLAY_ALONG)  # Play along with nobody chosen: the lounge's drumming circle
    assert p.start_word() == "Start a drumming circle"
    p.toggle_resident(first)
    assert p.start_word() == f"Start music for {names[0]}"  # one resident's own Play along session
    p.pick_mode(Mode.PLAY_ALONG)
    assert p.usb_label("/media/kiosk-usb/KINGSTON/care/residents.csv") == "residents.csv on KINGSTON"
    assert "/" not in p.usb_label("/mnt/other/residents.csv")
    assert p.residents_pages() == 1 and len(p.residents_page()) == len(p.residents())  # 7 fit: no pager
