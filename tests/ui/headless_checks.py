"""Run in a subprocess by test_screens.py (one window size and DPI per process): renders every screen and
drives real touches, printing one JSON object of measurements for the test to assert on.

Usage: python tests/ui/headless_checks.py WIDTH HEIGHT DPI
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    width, height, dpi = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    from kiosk.devtools import headless, measures
    from kiosk.domain.intents import Intent, Status
    from kiosk.ui import theme, units
    from kiosk.ui.pin_check import make_hash

    out: dict[str, object] = {"window": None}
    pin_hash = make_hash("2468")
    h = headless.start(width, height, dpi, pin_hash=pin_hash, residents=9)
    out["window"] = list(h.window.size)
    out["dpi"] = units.dpi()

    # 1. every screen: the DEMENTIA_UX numbers over the widget tree
    screens: dict[str, list[dict[str, str]]] = {}
    targets: dict[str, int] = {}
    small_staff: list[str] = []
    wrapped: list[str] = []
    faces: dict[str, list[dict[str, float]]] = {}
    for name, resident in headless.visit_all(h):
        problems = headless.check_screen(h.ui.sm.current_screen, name, resident_facing=resident)
        screens[name] = [asdict(p) for p in problems]
        targets[name] = headless.resident_choices(h.ui.sm.current_screen)
        if not resident:
            small_staff += measures.small_staff_targets(h.ui.sm.current_screen, name)
        wrapped += measures.wrapped_one_liners(h.ui, name)
        if name == "now_playing-relax":
            out["breathing"] = measures.breathing_measures(h)
        if name.startswith("residents"):
            faces[name] = measures.face_measures(h.ui.residents)
    out["small_staff"] = small_staff
    out["wrapped"] = wrapped
    out["faces"] = faces
    out["screens"] = screens
    out["targets"] = targets
    h.control.show(Status.PLAYING, song=1)
    h.frame(2)
    out["title_cap_mm"] = headless.title_cap_mm(h)
    titles = {}  # long titles: two lines at the largest size that fits, smaller, then (only then) an ellipsis
    for title in ("Evening Serenade (do not forget me, my dear)",
                  "Evening Serenade (do not forget me, my dear, when summer ends)",
                  " ".join(["Evening Serenade (do not forget me, my dear)"] * 6)):  # fmt: skip
        h.ui.now_playing.title = title
        h.frame(2)
        label = h.ui.now_playing.ids.title
        titles[title] = {"shown": label.text, "cap_mm": label.fitted_cap_mm,
                         "problems": [asdict(p) for p in headless.check_screen(h.ui.now_playing, "title")]}  # fmt: skip
    out["titles"] = titles

    # 1b. the checker itself can fail: a small, crowded, pale extra button on the session-end screen
    from kivy.uix.label import Label

    from kiosk.ui.widgets import BigButton

    h.control.show(Status.ENDED)
    h.frame(2)
    box = h.ui.session_end  # a RelativeLayout: children placed by hand, on top of the screen
    bad = [
        BigButton(word=f"x{i}", size_hint=(None, None), size=(units.mm(10), units.mm(10)),
                  pos=(units.mm(5 + 12 * i), units.mm(3)))
        for i in range(5)
    ]  # fmt: skip
    pale = Label(text="pale", color=(0.6, 0.6, 0.6, 1), font_size=units.cap(2), size_hint=(None, None),
                 size=(units.mm(40), units.mm(10)), pos=(units.mm(80), units.mm(3)))  # fmt: skip
    cropped = Label(text="the job", color=(0, 0, 0, 1), font_size=units.cap(5), size_hint=(None, None),
                    size=(units.mm(60), units.mm(5)), pos=(units.mm(80), units.mm(20)), valign="middle")  # fmt: skip
    cropped.text_size = cropped.size  # the box crops the bottoms of the letters: must be caught
    for w in (*bad, pale, cropped):
        box.add_widget(w)
    h.frame(3)
    found = headless.check_screen(h.ui.session_end, "session_end+bad")
    out["bad_rules"] = sorted({p.rule for p in found})
    for w in (*bad, pale, cropped):
        box.remove_widget(w)

    # 1c. lyrics follow the song's clock between engine snapshots
    from kiosk.domain.models import Mode

    h.control.show(Status.PLAYING, mode=Mode.SING, song=2, position_ms=0)
    h.frame()
    first = h.ui.now_playing.lyric_now
    h.clock.advance(6)
    h.run_for(0.2)  # the screen's own 20 Hz timer, on Kivy's real clock
    out["lyrics_follow"] = [first, h.ui.now_playing.lyric_now]

    # 1d. staff Reports: real taps on the menu and the toggles; the charts come from the worker as Images
    h.ui._staff_ok()
    h.frame(2)
    staff_screen = h.ui.staff_screen

    def staff_button(control: str):  # noqa: ANN202
        return next(w for w in headless.walk(staff_screen) if getattr(w, "control", "") == control)

    def report_seen() -> dict[str, object]:
        from kivy.uix.image import Image

        widgets = headless.walk(staff_screen.ids.content)
        images = sorted((w for w in widgets if isinstance(w, Image)), key=lambda w: -w.y)  # top first
        return {
            "images": [list(w.texture.size) if w.texture else None for w in images],
            "sources": [Path(w.source).name for w in images],
            "texts": [w.text for w in widgets if isinstance(w, Label) and w.text],
        }

    h.clock.advance(1)
    h.tap(staff_button("staff:menu"))  # the staff menu, then Reports: two real taps
    h.clock.advance(1)
    h.tap(staff_button("staff:reports"))
    working = report_seen()["texts"]
    reports: dict[str, object] = {"working": "Working..." in working, "waited": headless.wait_for_report(h)}
    reports["today"] = report_seen()
    h.clock.advance(1)
    h.tap(staff_button("staff:report:7d"))
    reports["waited_7d"] = headless.wait_for_report(h)
    reports["week"] = report_seen()
    h.clock.advance(1)
    h.tap(staff_button("staff:report_who:r1"))
    reports["waited_r1"] = headless.wait_for_report(h)
    reports["resident"] = report_seen()
    out["reports"] = reports

    # 1e. staff Voice: real taps on the kiosk-wide switches and on one resident's own switch
    def voice_seen() -> dict[str, object]:
        widgets = headless.walk(staff_screen.ids.content)
        return {
            "texts": [w.text for w in widgets if isinstance(w, Label) and w.text],
            "selected": sorted(w.control for w in widgets if getattr(w, "selected", False)),
        }

    voice: dict[str, object] = {}
    h.clock.advance(1)
    h.tap(staff_button("staff:menu"))  # the staff menu, then Voice
    for control in ("staff:voice", "staff:voice:enabled", "staff:voice_intros:every", "staff:voice_who:r1",
                    "staff:voice_resident"):  # fmt: skip
        h.clock.advance(1)
        h.tap(staff_button(control))
        h.frame(3)  # the panel is rebuilt: its rows settle over a few layout passes
        voice[control] = voice_seen()
    switches = h.ui.staff.voice()
    voice["stored"] = [switches.enabled, str(switches.intros), switches.orientation]
    voice["r1_voice"] = next(r.voice for r in h.ui.staff.residents() if r.resident_id == "r1")
    voice["note"] = staff_screen.note
    out["voice"] = voice

    # 1e. the picker: "Music for everyone" on every page, one real tap from the last page starts music for
    # everyone; a short page keeps its tiles' shape
    h.ui.leave_staff()
    h.control.show(Status.IDLE)
    h.ui.router.picker_open = True
    h.ui.refresh()
    h.frame(3)
    picker = h.ui.residents
    pages = []
    for _page in range(6):
        controls = [w.control for w in headless.resident_targets(picker)]
        pages.append(controls)
        more = [w for w in headless.resident_targets(picker) if w.control.startswith("pick:more")]
        if not more:
            break
        if _page == 2:  # the last of the three pages: the one tap
            everyone = next(
                w for w in headless.resident_targets(picker) if w.control.startswith("pick:everyone")
            )
            h.clock.advance(1)
            h.tap(everyone)
            h.frame()
            break
        h.clock.advance(1)
        h.tap(more[0])
        h.frame(2)
    out["picker_pages"] = pages
    out["everyone_tap"] = {"screen": h.screen(), "posted": [[str(i), list(a or ())] for i, _s, a in h.control.posted
                                                            if i is Intent.CHOOSE_RESIDENTS][-1:]}  # fmt: skip
    full = measures.face_measures(picker)
    everyone_people = picker.presenter.residents
    picker.presenter.residents = lambda: list(everyone_people())[:2]
    picker.presenter.page = 0
    picker.refresh()
    h.frame(3)
    out["short_page"] = {"full": full, "short": measures.face_measures(picker)}
    picker.presenter.residents = everyone_people

    # 1f. pictures drawn well inside their box: the seated movements, the decade pictures
    out["drawn_inside"] = measures.drawing_bounds()
    h.ui.leave_staff()
    h.frame(2)

    # 2. lounge: idle -> music in 2 taps
    h = headless.build(h.window, dpi, kiosk_mode="lounge", pin_hash=pin_hash)
    taps = []
    h.tap(h.ui.idle.ids.touch_target)
    taps.append(h.screen())
    h.frame()
    tile = next(w for w in headless.resident_targets(h.ui.residents) if w.control.startswith("pick:resident"))
    h.clock.advance(1)
    h.tap(tile)
    h.frame()
    taps.append(h.screen())
    out["lounge_taps"] = taps
    out["lounge_posted"] = [str(i) for i, _s, _a in h.control.posted]

    # 3. double tap within 400 ms counts once; feedback shows before the next frame is drawn
    nxt = h.ui.now_playing.ids.c_next
    song_before = h.control.view().song.song_id
    h.clock.advance(1)
    h.tap(nxt)
    out["feedback_before_frame"] = {"pressed": nxt.pressed, "word": h.ui.now_playing.feedback,
                                    "icon": h.ui.now_playing.feedback_icon}  # fmt: skip
    h.frame()
    # what the next frame shows: the pressed colour inside the button, read back from the rendered pixels
    image = h.ui.root.export_as_image()
    px, py = nxt.to_window(nxt.x + units.mm(2.5), nxt.center_y)
    tex = image.texture
    i = ((tex.height - 1 - int(py)) * tex.width + int(px)) * 4  # the read-back rows run top down
    out["pressed_pixel"] = list(tex.pixels[i : i + 3])
    out["pressed_expected"] = [round(c * 255) for c in theme.BUTTON_PRESSED[:3]]
    out["normal_expected"] = [round(c * 255) for c in theme.BUTTON[:3]]
    h.clock.advance(0.2)
    h.tap(nxt)
    h.clock.advance(0.15)
    h.tap(nxt)  # a third shake, still inside 400 ms of the first
    out["next_after_double"] = sum(1 for i, _s, _a in h.control.posted if i is Intent.NEXT)
    h.clock.advance(0.5)
    h.tap(nxt)
    out["next_after_pause"] = sum(1 for i, _s, _a in h.control.posted if i is Intent.NEXT)
    out["song_changed"] = h.control.view().song.song_id != song_before
    # a second finger (or palm) while one is down does nothing
    louder = h.ui.now_playing.ids.c_louder
    quieter = h.ui.now_playing.ids.c_quieter
    h.clock.advance(1)
    h.frame()
    first = h.touch_at(*louder.to_window(*louder.center))
    second = h.touch_at(*quieter.to_window(*quieter.center))
    second.touch_up()
    first.touch_up()
    volume = [str(i) for i, _s, _a in h.control.posted if i in (Intent.VOLUME_UP, Intent.VOLUME_DOWN)]
    out["two_fingers"] = volume
    like = h.ui.now_playing.ids.c_like
    h.tap(like)
    out["liked_at_once"] = {"selected": like.selected, "word": like.word, "icon": like.icon}

    # 4. staff corner: 2.9 s is not enough, 3 s opens the PIN pad; the touch underneath still acts. The hold is
    # measured on the hand clock, but the corner's own timer runs on Kivy's real clock: frames are drawn for a
    # few of its ticks at each step (nothing calls the timer's callback by hand).
    corner = h.ui.corner
    cx, cy = corner.to_window(*corner.center)
    touch = h.touch_at(cx, cy)
    h.run_for(3 * corner.TICK_S)
    h.clock.advance(2.9)
    h.run_for(3 * corner.TICK_S)
    early = h.screen()
    h.clock.advance(0.2)
    h.run_for(3 * corner.TICK_S)
    touch.touch_up()
    out["corner"] = [early, h.screen()]
    # a short touch in the corner does nothing staff-like
    pin = h.ui.staff_pin
    keys = {w.control: w for w in headless.walk(pin) if getattr(w, "control", "").startswith("pin:")}

    def enter(code: str) -> None:
        for d in code:
            h.clock.advance(0.5)
            h.tap(keys[f"pin:{d}"])
        h.clock.advance(0.5)
        h.tap(keys["pin:ok"])
        for _ in range(200):  # the scrypt check runs on a worker thread
            h.frame()
            if not pin.presenter.checking:
                break

    wrong_counts = []
    for _ in range(5):
        enter("1111")
        wrong_counts.append(h.ui.guard.wrong)
    out["wrong_counts"] = wrong_counts
    out["lockout"] = {"screen": h.screen(), "message": pin.message, "locked": pin.presenter.locked()}
    enter("2468")
    out["right_pin_while_locked"] = h.screen()
    h.clock.advance(301)
    enter("2468")
    out["after_lockout"] = h.screen()
    h.clock.advance(119)
    h.ui.tick()
    still = h.screen()
    h.clock.advance(2)
    h.ui.tick()
    out["staff_timeout"] = [still, h.screen()]

    # 5. personal: idle -> music in 1 tap; (first) idle blanking when configured: a touch only wakes it
    h = headless.build(h.window, dpi, kiosk_mode="personal", pin_hash=pin_hash)
    import time as _time

    idle = h.ui.idle
    idle.blank_after_s = 0.05
    idle._arm_blank()
    deadline = _time.monotonic() + 5
    while not idle.blanked and _time.monotonic() < deadline:
        h.frame()
    blanked = idle.blanked
    h.tap(idle.ids.touch_target)
    out["blank"] = {"blanked": blanked, "woke": not idle.blanked, "posted": len(h.control.posted),
                    "screen": h.screen()}  # fmt: skip
    idle.blank_after_s = 0
    idle._arm_blank()
    h.clock.advance(1)
    h.tap(h.ui.idle.ids.touch_target)
    h.frame()
    out["personal_taps"] = [h.screen()]

    # 6. Escape and window close do nothing outside staff mode (kiosk), close works in a desktop trial
    from kiosk.ui.app import EncoreApp

    app = EncoreApp(lambda: h.ui, h.control, locked=True)
    app.ui = h.ui
    locked_close = app.on_request_close()
    locked_escape = app._on_keyboard(None, 27)
    h.ui.router.staff = "on"
    staff_close = app.on_request_close()
    h.ui.router.staff = "off"
    out["escape"] = {"close_refused": locked_close, "escape_swallowed": locked_escape,
                     "close_refused_in_staff": staff_close,
                     "close_refused_windowed": EncoreApp(lambda: h.ui, h.control, locked=False).on_request_close()}  # fmt: skip
    print("JSON:" + json.dumps(out))


if __name__ == "__main__":
    main()
