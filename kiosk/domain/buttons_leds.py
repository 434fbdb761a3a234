"""What the LED inside each arcade button shows, from a :class:`SessionView` snapshot.

An LED is lit when pressing its button does something now, and off when it would do nothing, so a resident is
never invited to press a dead button. Play/Pause breathes slowly while music plays (a calm "this is on").
A short flash on every press acknowledges it (the adapter times the flash: see :data:`FLASH_S`).
The engine owns the behaviour; these rules mirror it and are the one place to change when it changes.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.domain.buttons import STAFF
from kiosk.domain.controls import by_action
from kiosk.domain.intents import SessionView, Status
from kiosk.domain.play_along import instrument_for_button, playing_along

FLASH_S = 0.2  # how long the acknowledging flash lasts, in seconds
BREATH_IN_S = 2.5  # breathing while music plays: fade in ...
BREATH_OUT_S = 2.5  # ... and out: 12 calm breaths a minute
LIT_BRIGHTNESS = 0.6  # a lit PWM LED; the flash goes to full brightness so it shows against "lit"

_WITH_SONG = (Status.PLAYING, Status.PAUSED)


class LedLevel(StrEnum):
    OFF = "off"
    ON = "on"
    BREATHE = "breathe"


def led_level(action: str, view: SessionView) -> LedLevel:
    """The steady look of the LED of ``action``'s button in session state ``view`` (the flash comes on top)."""
    has_song = view.status in _WITH_SONG and view.song is not None
    if action == "play_pause":
        # Idle, choosing, paused or ended: one press brings music. Playing: it pauses.
        return LedLevel.BREATHE if view.status == Status.PLAYING else LedLevel.ON
    if action == STAFF:
        return LedLevel.ON  # held, it always opens the staff PIN screen
    if action == "next":
        return LedLevel.ON  # another song; with nothing playing the engine starts the music
    if not has_song:
        return LedLevel.OFF  # like, volume, stop, distress: nothing to act on without a song
    if playing_along(view) and instrument_for_button(action) is not None:
        return LedLevel.ON  # Play along: it plays its instrument, whatever its usual action would do now
    if action == "like":
        return LedLevel.OFF if view.song is not None and view.song.liked else LedLevel.ON
    if action == "volume_up":
        return LedLevel.ON if view.volume_pct < view.volume_cap_pct else LedLevel.OFF
    if action == "volume_down":
        return LedLevel.ON if view.volume_pct > 0 else LedLevel.OFF
    # stop, distress and any other control in the table: it acts on the song there is
    return LedLevel.ON if by_action(action) is not None else LedLevel.OFF


def led_levels(actions: list[str] | tuple[str, ...], view: SessionView) -> dict[str, LedLevel]:
    """:func:`led_level` for each action that has an LED."""
    return {action: led_level(action, view) for action in actions}
