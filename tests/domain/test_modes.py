"""The mode registry (kiosk.domain.modes): every mode is one ModeSpec, and the rest of the kiosk asks the spec.

A throwaway mode registered here is chosen by selection through its fit rule, ranked by its calm rank when
schedules disagree, and accepted by kiosk.toml and schedules; once taken out, it is refused everywhere again.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.domain.insight import best_slot
from kiosk.domain.models import Mode, Resident, Song
from kiosk.domain.modes import BUILT_IN, ModeSpec, mode_word, register, spec_of, unregister
from kiosk.domain.report_model import ResidentFigures
from kiosk.domain.report_text import resident_lines
from kiosk.domain.schedule import parse_schedule
from kiosk.domain.selection import Selector
from kiosk.domain.songfit import resolve_mode
from kiosk.errors import UserError

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _song(i: int, title: str) -> Song:
    return Song(song_id=f"s{i}", path=f"/m/{i}.mp3", title=title, artist=f"Band {i}", year=1950)


def _fits_waltz(song: Song) -> int:
    return 2 if "waltz" in song.title.lower() else 0


@pytest.fixture
def waltz() -> Iterator[Mode]:
    mode = register(ModeSpec("waltz", "Waltz", "note", _fits_waltz, "in three-four time", calm_rank=-1))
    try:
        yield mode
    finally:
        unregister(mode)


def test_the_built_in_modes_in_tile_order() -> None:
    assert [m.value for m in Mode] == ["listen", "relax", "move", "sing", "play_along"]
    assert [m.spec for m in Mode] == list(BUILT_IN)
    assert Mode("relax") is Mode.RELAX and spec_of("sing").word == "Sing along"
    with pytest.raises(ValueError, match="not a mode"):
        Mode("waltz")
    assert (
        parse_schedule("08:00-09:00 play_along")[0].mode is Mode.PLAY_ALONG
    )  # a name with "_" schedules too


def test_names_are_checked_and_built_in_modes_stay() -> None:
    with pytest.raises(ValueError, match="already"):
        register(ModeSpec("relax", "Relax again", "leaf"))
    with pytest.raises(ValueError, match="lower-case"):
        register(ModeSpec("Hum Along", "Hum", "note"))
    with pytest.raises(ValueError, match="built-in"):
        unregister(Mode.LISTEN)
    assert len(Mode) == 5


def test_a_registered_mode_is_selected_by_its_fit_rule(waltz: Mode) -> None:
    songs = [
        _song(i, t) for i, t in enumerate(["Blue Danube Waltz", "In the Mood", "Tennessee Waltz", "Jive"])
    ]
    chosen = Selector(songs, [], "waltz", random.Random(1), NOON).playlist(4)
    assert [c.song.title for c in chosen][:2] in (
        ["Blue Danube Waltz", "Tennessee Waltz"],
        ["Tennessee Waltz", "Blue Danube Waltz"],
    )
    outside = [w for c in chosen[2:] for w in c.why if w.kind == "outside_mode"]
    assert outside and all(w.text == "in three-four time" for w in outside)
    assert list(Mode)[-1] is waltz


def test_a_registered_mode_is_in_schedules_config_and_group_choice(waltz: Mode, tmp_path: Path) -> None:
    slot = parse_schedule("00:00-23:59 waltz")[0]
    assert slot.mode is waltz
    relaxing = Resident("r1", "R1", "Ann", 1935, schedule=parse_schedule("00:00-23:59 relax"))
    waltzing = Resident("r2", "R2", "Bea", 1935, schedule=(slot,))
    assert resolve_mode(None, [relaxing, waltzing], NOON) == (waltz, "residents' schedules")  # calm_rank -1
    path = tmp_path / "kiosk.toml"
    path.write_text('[quiet_hours]\nmode = "waltz"\n[schedule]\ndefault = "08:00-09:00 waltz"\n')
    config = load_config(path)
    assert config.quiet_hours.mode is waltz and config.schedule[0].mode is waltz


def test_a_mode_taken_out_is_refused_again(tmp_path: Path) -> None:
    mode = register(ModeSpec("waltz", "Waltz", "note"))
    unregister(mode)
    path = tmp_path / "kiosk.toml"
    path.write_text('[quiet_hours]\nmode = "waltz"\n')
    with pytest.raises(UserError, match="quiet_hours.mode: must be one of listen, relax"):
        load_config(path)
    with pytest.raises(ValueError):
        parse_schedule("08:00-09:00 waltz")


def test_reports_name_a_mode_by_its_tile_word() -> None:
    """Staff know "Play along" and "Sing along" from the tiles, not the stored names play_along and sing."""
    assert mode_word("play_along") == "Play along" and mode_word("sing") == "Sing along"
    assert mode_word("gone_mode") == "Gone mode"  # an old journal's mode, no longer registered
    f = ResidentFigures("r1", "Ann", sessions=3, modes={"play_along": 2, "sing": 1})
    f.slots[("play_along", 10)] = [2.0, 40.0]
    f.slots[("sing", 16)] = [1.0, 5.0]
    assert "Modes: Play along 2 sessions, Sing along 1 session" in resident_lines(f)
    found = best_slot(f, "Ann")
    assert found is not None and found.text.startswith(
        "Play along in the morning held Ann's attention longest"
    )
