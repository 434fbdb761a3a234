"""The few widgets every screen shares: the big button (acts on press, once per 400 ms, instant feedback),
a panel with a known background colour (so contrast can be checked), and the staff corner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.clock import Clock, ClockEvent
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui import theme
from kiosk.ui.touch import LongPress, TapFilter

if TYPE_CHECKING:
    from kivy.input.motionevent import MotionEvent  # untyped: Any to mypy (touch.pos, touch.uid)

# One shared filter per app (set by the app): "the same control" is its ``control`` name; the 400 ms rule is
# kiosk.domain.controls.RepeatFilter (the engine applies it to the arcade buttons and keys too).
_shared_filter: TapFilter = TapFilter()


def set_tap_filter(tap_filter: TapFilter) -> None:
    global _shared_filter
    _shared_filter = tap_filter


def tap_filter() -> TapFilter:
    return _shared_filter


class Panel(BoxLayout):
    """A box painted ``bg_color``: labels inside are checked for contrast against it."""

    bg_color = ColorProperty(theme.BACKGROUND)
    radius_px = NumericProperty(0)


class Text(Label):
    """A label whose size in mm is given as cap height (see units.cap)."""


class BigButton(Panel):
    """Word + icon button. Acts on touch down (press), at once; repeats within 400 ms count once.

    ``resident_target`` marks it for the size/gap/choices checks. Feedback: the colour changes in the same
    frame's update, before the action's result comes back.
    """

    word = StringProperty("")
    icon = StringProperty("")
    control = StringProperty("")  # stable name for the tap filter; defaults to the word
    selected = BooleanProperty(False)
    pressed = BooleanProperty(False)
    resident_target = BooleanProperty(True)
    # targets sharing a group count as ONE resident choice (Play along's pads: any pad plays, none is wrong)
    choice_group = StringProperty("")
    tap_window_s = NumericProperty(-1.0)  # >= 0: this button's own repeat window instead of the 400 ms rule
    enabled = BooleanProperty(True)
    action = ObjectProperty(None, allownone=True)  # callable() -> str | None (feedback word)
    text_cap_mm = NumericProperty(theme.LABEL_CAP_MM)
    icon_mm = NumericProperty(10.0)
    normal_color = ColorProperty(theme.BUTTON)
    selected_color = ColorProperty(theme.BUTTON_ON)
    pressed_color = ColorProperty(theme.BUTTON_PRESSED)
    edge_color = ColorProperty(theme.BUTTON_EDGE)
    text_color = ColorProperty(theme.TEXT)
    icon_color = ColorProperty(theme.ICON)
    presses = NumericProperty(0)  # accepted presses (tests, bench)
    word_width_px = NumericProperty(100)  # horizontal buttons: the word's box (one line when it fits)

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self._release_ev = None
        self.bind(selected=self._recolour, pressed=self._recolour, normal_color=self._recolour)
        self.bind(size=self._fit_word, word=self._fit_word, icon=self._fit_word, orientation=self._fit_word,
                  text_cap_mm=self._fit_word, icon_mm=self._fit_word)  # fmt: skip
        self._fit_word()  # a size given to the constructor sends no change later
        Clock.schedule_once(lambda _dt: self._recolour(), 0)

    def _fit_word(self, *_args: object) -> None:
        """A horizontal button: the word as wide as it needs on one line, else wrapped in what is left."""
        if self.orientation != "horizontal":
            return
        from kivy.core.text import Label as CoreLabel

        from kiosk.ui import units

        core = CoreLabel(text=self.word, font_size=units.cap(self.text_cap_mm), bold=True)
        core.refresh()
        natural = core.texture.width + 2 if core.texture is not None else 0
        icon = units.mm(self.icon_mm) + self.spacing if self.icon else 0
        room = self.width - self.padding[0] - self.padding[2] - icon - 2 * self.spacing
        self.word_width_px = max(1.0, min(natural, room))

    def _recolour(self, *_args: object) -> None:
        self.bg_color = (
            self.pressed_color
            if self.pressed
            else (self.selected_color if self.selected else self.normal_color)
        )

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        if not self.enabled or self.disabled:
            return True
        self.press()
        return True

    def on_touch_move(self, touch: MotionEvent) -> bool:
        return self.collide_point(*touch.pos)

    def on_touch_up(self, touch: MotionEvent) -> bool:
        return self.collide_point(*touch.pos)

    def press(self) -> None:
        """What a touch does: feedback now, the action once per 400 ms."""
        self.pressed = True
        self._recolour()
        if self._release_ev is not None:
            self._release_ev.cancel()
        self._release_ev = Clock.schedule_once(self._release, 0.35)
        window = self.tap_window_s if self.tap_window_s >= 0 else None
        if not tap_filter().accept(self.control or self.word, window):
            return
        self.presses += 1
        if self.action is not None:
            self.action()

    def _release(self, _dt: float) -> None:
        self.pressed = False


class StaffCorner(Widget):
    """The fixed top-left corner: held 3 s opens the staff PIN pad. It never eats the touch, so a resident
    touching there still gets what is underneath (e.g. "Touch for music").

    While a finger is down a 0.1 s timer watches the hold (and draws its progress ring). The timer's callback
    returns nothing on purpose: Kivy unschedules an interval whose callback returns False.
    """

    hold_s = NumericProperty(theme.STAFF_HOLD_S)
    progress = NumericProperty(0.0)
    on_hold = ObjectProperty(None, allownone=True)
    TICK_S = 0.1

    def __init__(self, now: Callable[[], float] | None = None, **kwargs: object):
        super().__init__(**kwargs)
        self.long_press = LongPress(self.hold_s, now) if now else LongPress(self.hold_s)
        self.bind(hold_s=self._set_hold)
        self._touch_uid: object = None
        self._ev: ClockEvent | None = None

    def _set_hold(self, _widget: object, hold_s: float) -> None:
        self.long_press.hold_s = hold_s

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if self.collide_point(*touch.pos):
            self.long_press.down()
            self._touch_uid = touch.uid
            if self._ev is None:
                self._ev = Clock.schedule_interval(self._tick, self.TICK_S)
        return False

    def on_touch_move(self, touch: MotionEvent) -> bool:
        if touch.uid == self._touch_uid and not self.collide_point(*touch.pos):
            self._end()
        return False

    def on_touch_up(self, touch: MotionEvent) -> bool:
        if touch.uid == self._touch_uid:
            self._end()
        return False

    def _end(self) -> None:
        self.long_press.up()
        self._touch_uid = None
        self.progress = 0.0
        if self._ev is not None:
            self._ev.cancel()
            self._ev = None

    def _tick(self, _dt: float) -> None:
        """Every 0.1 s while held: the progress ring, then the PIN pad once the hold is long enough."""
        self.progress = self.long_press.progress()
        if self.long_press.poll():
            self._end()
            if self.on_hold is not None:
                self.on_hold()


class ScreenRoot(FloatLayout):
    """The whole window: the screens, and the staff corner above them.

    Single touch only: while one finger (or a palm, or a sleeve) is down, further touches are ignored, so a
    resident leaning on the glass triggers one action and nothing else.
    """

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        self._down: set[object] = set()

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if self._down:
            return True
        self._down.add(touch.uid)
        return super().on_touch_down(touch)

    def on_touch_move(self, touch: MotionEvent) -> bool:
        if touch.uid not in self._down:
            return True
        return super().on_touch_move(touch)

    def on_touch_up(self, touch: MotionEvent) -> bool:
        if touch.uid not in self._down:
            return True
        self._down.discard(touch.uid)
        return super().on_touch_up(touch)
