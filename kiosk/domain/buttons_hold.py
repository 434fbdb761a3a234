"""The staff hold: two chosen buttons held down together for 5 s opens the staff PIN screen.

No single lean can do it (the two buttons sit at opposite ends of the panel), and each button still acts on
press as usual. A dedicated ``staff`` button (inside the cabinet) needs the same hold on its own. The clock is
passed in so that tests can drive it; the adapter asks :meth:`StaffHold.press` how long to wait before it
calls :meth:`StaffHold.check` on the main loop.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from kiosk.domain.buttons import STAFF

STAFF_HOLD_S = 5.0  # seconds both buttons must stay down together


class StaffHold:
    """Tracks which controls are down (by key: a pin, or the dial switch) and when each went down."""

    def __init__(
        self, chord: Sequence[str], monotonic: Callable[[], float], hold_s: float = STAFF_HOLD_S
    ) -> None:
        self._chords: list[frozenset[str]] = [frozenset({STAFF})]
        if chord:
            self._chords.append(frozenset(chord))
        self._monotonic = monotonic
        self.hold_s = hold_s
        self._down: dict[Hashable, tuple[str, float]] = {}  # key -> (action, pressed at)
        self._fired: set[frozenset[str]] = set()  # chords already fired, until one of their buttons lifts

    def press(self, key: Hashable, action: str) -> float | None:
        """Note a press; return the seconds until :meth:`check` should look (a chord is now all down), or None."""
        self._down[key] = (action, self._monotonic())
        for chord in self._chords:
            if action in chord and self._since(chord) is not None:
                return self.hold_s
        return None

    def release(self, key: Hashable) -> None:
        """Note a release: a chord it belonged to may fire again after a fresh hold."""
        down = self._down.pop(key, None)
        if down is not None:
            self._fired = {c for c in self._fired if down[0] not in c}

    def check(self) -> bool:
        """True once when a chord has been held down together for ``hold_s`` (call after the wait)."""
        now = self._monotonic()
        for chord in self._chords:
            since = self._since(chord)
            if since is not None and chord not in self._fired and now - since >= self.hold_s:
                self._fired.add(chord)
                return True
        return False

    def _since(self, chord: frozenset[str]) -> float | None:
        """When the last button of ``chord`` went down (all of it down together), or None."""
        latest: dict[str, float] = {}
        for action, at in self._down.values():
            if action in chord:
                latest[action] = min(at, latest.get(action, at))
        if set(latest) != chord:
            return None
        return max(latest.values())
