"""Play along: the instruments, which arcade button plays which, and the engagement figures. Pure.

In Play along mode each arcade button plays one percussion instrument. The panel's order (Quieter, Play/Pause,
Another song, I like this, Louder: docs/guide/gpio.md) gives drum, tambourine, shaker, woodblock, bell, so a
drumming circle of five residents has five different sounds. Stop and "This song upsets" buttons keep their
actions in every mode; the staff hold still works (its two buttons play while pressed, holding both opens the
PIN screen). Louder and Quieter stay on the touch screen.

Engagement (journaled as ``play_along`` once per session, and per resident only in one-resident sessions):
presses per minute of play-along music, and the share of presses on the beat. A simple proxy for initiation
and involvement: it counts presses, it cannot tell who pressed in a group, nor whether a resident enjoyed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.domain.controls import by_action
from kiosk.domain.intents import SessionView, Status

INSTRUMENTS = ("drum", "tambourine", "shaker", "woodblock", "bell")

# Which arcade button plays which instrument is the ``instrument`` column of the control table
# (kiosk.domain.controls.CONTROLS); stop, distress and the staff button have none and keep their actions.

PAD_TREMOR_S = 0.12  # two touches of one pad closer than this are one (a bounce), not the 400 ms tap rule


def instrument_for_button(action: str) -> str | None:
    """The instrument ``action``'s button plays in Play along mode, or None (it keeps its action)."""
    control = by_action(action)
    return control.instrument if control is not None and control.instrument else None


def playing_along(view: SessionView) -> bool:
    """Whether the buttons are instruments now: Play along mode with a song playing (not paused)."""
    mode = view.mode
    return (
        mode is not None
        and mode.spec.plays_instruments
        and view.status is Status.PLAYING
        and view.song is not None
    )


@dataclass
class PressTally:
    """Presses during one session's play-along music, and how many were on the beat."""

    presses: int = 0
    on_beat: int = 0
    by_instrument: dict[str, int] = field(default_factory=dict)

    def add(self, instrument: str, on_beat: bool) -> None:
        self.presses += 1
        self.on_beat += 1 if on_beat else 0
        self.by_instrument[instrument] = self.by_instrument.get(instrument, 0) + 1

    def detail(self, music_s: float) -> dict[str, object]:
        """The ``play_along`` event's detail: presses, minutes, presses_per_min, on_beat_share."""
        minutes = music_s / 60.0
        return {
            "presses": self.presses,
            "on_beat": self.on_beat,
            "music_min": round(minutes, 2),
            "presses_per_min": round(self.presses / minutes, 1) if minutes > 0 else 0.0,
            "on_beat_share": round(self.on_beat / self.presses, 3) if self.presses else 0.0,
            "by_instrument": dict(sorted(self.by_instrument.items())),
        }
