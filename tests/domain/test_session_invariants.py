"""1,000 random intents and player outcomes keep the session consistent (fake player, seeded)."""

from __future__ import annotations

import random
from collections import Counter

from kiosk.domain.events import SongOutcome
from kiosk.domain.intents import Intent, Source, Status
from kiosk.domain.models import Mode
from kiosk.domain.playback import PolicyNow
from tests.domain.test_session import Kit, make, resident

SOURCES = list(Source)
# The detail keys each event type must carry (kiosk/domain/events.py).
REQUIRED = {
    "session_start": {"mode", "residents", "resumed"},
    "session_end": {"reason", "listened_s"},
    "song_start": {"title", "artist", "year", "decade", "mode", "reason"},
    "song_end": {"outcome", "listened_s", "at_s"},
    "pause": {"at_s"},
    "resume": {"paused_s"},
    "like": {"at_s"},
    "distress": {"at_s"},
    "volume": {"volume_pct", "capped"},
    "mode": {"mode", "chosen_by"},
    "tune": {"decade"},
    "play_along": {"presses", "on_beat", "music_min", "presses_per_min", "on_beat_share", "by_instrument"},
}
END_REASONS = {"length", "idle", "stop", "distress", "failures", "shutdown"}


def check_event(event: dict[str, object]) -> None:
    detail = event["detail"]
    assert isinstance(detail, dict)
    assert REQUIRED[str(event["type"])] <= set(detail), event
    assert event["source"] in {s.value for s in Source}
    if event["type"] == "session_end":
        assert detail["reason"] in END_REASONS
    if event["type"] == "song_end":
        assert detail["outcome"] in {o.value for o in SongOutcome}
        assert ("error" in detail) == (detail["outcome"] == "failed")
    if event["type"] in ("song_start", "song_end", "pause", "resume", "like", "distress"):
        assert event.get("song_id") or event.get("song")
    if event["type"] not in ("mode", "tune", "volume"):  # these may come at the idle screen
        assert event.get("session_id", event.get("session"))


INTENTS = list(Intent)
WEIGHTS = [
    {Intent.STOP: 1, Intent.DISTRESS: 1, Intent.CHOOSE_RESIDENTS: 1, Intent.CHOOSE_MODE: 1}.get(i, 6)
    for i in INTENTS
]


def check(kit: Kit) -> None:
    engine, player = kit.engine, kit.player
    view = engine.view()
    if view.status is Status.PLAYING:
        assert engine.play is not None and engine.play.run_since is not None
        assert engine.play.slot in player.sounding() or player.state[engine.play.slot] == "stopped"
    elif view.status is Status.PAUSED:
        assert engine.play is not None and engine.play.run_since is None
        assert player.sounding() == []
    else:
        assert engine.play is None and view.song is None
    assert len(player.sounding()) <= 2
    assert 0 <= view.volume_pct <= view.volume_cap_pct
    assert all(player.levels[s] <= view.volume_cap_pct / 100 + 1e-9 for s in player.sounding())
    counts = Counter(e["type"] for e in kit.journal.events)
    open_song = 1 if engine.play is not None else 0
    open_session = 1 if engine.session is not None else 0
    assert counts["song_start"] == counts["song_end"] + open_song
    assert counts["session_start"] == counts["session_end"] + open_session
    assert all(e["detail"].get("listened_s", 0) >= 0 for e in kit.journal.events)
    if engine.play is not None:
        assert engine.session is not None


def test_random_intents_keep_the_invariants() -> None:
    rng = random.Random(20260601)
    quiet = {"on": False}
    kit = make(
        {"r-1": resident("r-1", volume_cap_pct=60, session_minutes=3), "r-2": resident("r-2")},
        idle_pause_end_s=30,
        failures_before_stop=3,
    )
    kit.engine.policy = lambda _at: PolicyNow(True, 30, False) if quiet["on"] else PolicyNow()
    for _ in range(1000):
        roll = rng.random()
        kit.clock.advance(rng.choice([0.0, 0.05, 0.2, 0.45, 2.0, 15.0]))
        if roll < 0.7:
            intent = rng.choices(INTENTS, WEIGHTS)[0]
            arg: object = None
            if intent is Intent.TUNE_DECADE:
                arg = rng.choice([1, -1])
            elif intent is Intent.CHOOSE_MODE:
                arg = rng.choice(list(Mode))
            elif intent is Intent.CHOOSE_RESIDENTS:
                arg = rng.choice([(), ("r-1",), ("r-1", "r-2")])
            kit.engine.post(intent, rng.choice(SOURCES), arg)
        elif roll < 0.85 and kit.engine.play is not None:
            slot = kit.engine.play.slot
            (kit.player.finish if rng.random() < 0.7 else kit.player.fail)(slot)
        elif roll < 0.9:
            quiet["on"] = not quiet["on"]
        kit.engine.pump()
        check(kit)
    for event in kit.journal.events:
        check_event(event)
    types = Counter(e["type"] for e in kit.journal.events)
    assert set(types) == set(REQUIRED)  # every kind of event happened and was checked
    assert types["song_start"] > 100 and types["session_end"] > 5  # the walk really went places
