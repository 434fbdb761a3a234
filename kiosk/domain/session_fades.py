"""Volume ramps per player slot, stepped by the main loop's clock (never by sleeping)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Ramp:
    start_level: float
    end_level: float
    t0: float
    duration_s: float
    then: str | None  # "stop" | "pause" | None when the ramp ends


class Fader:
    """Linear level ramps; :meth:`step` says which slot gets which level now, and what to do at the end."""

    def __init__(self) -> None:
        self._ramps: dict[int, _Ramp] = {}

    def fade(
        self, slot: int, start: float, end: float, duration_ms: int, now: float, then: str | None
    ) -> None:
        self._ramps[slot] = _Ramp(start, end, now, max(0.0, duration_ms / 1000.0), then)

    def active(self, slot: int) -> bool:
        return slot in self._ramps

    def cancel(self, slot: int) -> None:
        self._ramps.pop(slot, None)

    def retarget(self, slot: int, end: float) -> None:
        """Keep the ramp's timing but aim at a new end level (the volume changed during a fade-in)."""
        ramp = self._ramps.get(slot)
        if ramp is not None and ramp.then is None:
            ramp.end_level = end

    def level(self, slot: int, now: float) -> float | None:
        ramp = self._ramps.get(slot)
        if ramp is None:
            return None
        if ramp.duration_s <= 0:
            return ramp.end_level
        k = max(0.0, min(1.0, (now - ramp.t0) / ramp.duration_s))
        return ramp.start_level + (ramp.end_level - ramp.start_level) * k

    def step(self, now: float) -> list[tuple[int, float, str | None]]:
        """``(slot, level, then)`` for every ramp; ``then`` is set only on the step that finishes a ramp."""
        out: list[tuple[int, float, str | None]] = []
        for slot, ramp in list(self._ramps.items()):
            level = self.level(slot, now)
            assert level is not None
            done = now - ramp.t0 >= ramp.duration_s
            out.append((slot, level, ramp.then if done else None))
            if done:
                del self._ramps[slot]
        return out
