"""kiosk.toml loading: every error kind with FILE:LINE and key path, did-you-mean, non-strict fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.config import AudioConfig, Config, DisplayConfig, load_config
from kiosk.config_check import key_lines
from kiosk.domain.models import Mode, ScheduleSlot
from kiosk.errors import UserError
from kiosk.pin import hash_pin


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(UserError) as info:
        load_config(path)
    return [p.removeprefix(f"{path}:") for p in info.value.problems]


def test_missing_file_gives_documented_defaults(tmp_path):
    assert load_config(tmp_path / "nope.toml") == Config()
    assert Config().audio.max_volume_pct == 80
    assert Config().problems == ()


def test_empty_file_gives_defaults(tmp_path):
    assert load_config(write(tmp_path, "")) == Config()


def test_good_values_are_read_and_typed(tmp_path):
    config = load_config(
        write(
            tmp_path,
            '[display]\ndpi = 210\nfullscreen = false\norientation = "Portrait"\n'
            '[audio]\noutput = "alsa"\ndevice = "plughw:CARD=Headphones"\nstart_volume_pct = 30\n'
            "max_volume_pct = 70\nfade_ms = 0\n"
            '[kiosk]\nmode = "personal"\nid = "room-12"\nresident = "R7"\n'
            '[quiet_hours]\nstart = "21:00"\nend = "7:00"\nmax_volume_pct = 25\n'
            '[schedule]\ndefault = "16:00-18:00 relax; 08:00-10:00 move"\n'
            '[gpio.pins]\n17 = "play_pause"\n"27" = "next"\n'
            "[journal]\nretention_days = 400\n",
        )
    )
    assert config.display == DisplayConfig(dpi=210.0, fullscreen=False, orientation="portrait")
    assert isinstance(config.display.dpi, float)
    assert config.audio == AudioConfig(
        output="alsa", device="plughw:CARD=Headphones", start_volume_pct=30, max_volume_pct=70, fade_ms=0
    )
    assert (config.kiosk.mode, config.kiosk.id, config.kiosk.resident) == ("personal", "room-12", "R7")
    assert (config.quiet_hours.start, config.quiet_hours.end) == ("21:00", "07:00")
    assert config.schedule == (ScheduleSlot(960, 1080, Mode.RELAX), ScheduleSlot(480, 600, Mode.MOVE))
    assert config.gpio == {17: "play_pause", 27: "next"}
    assert config.journal.retention_days == 400
    assert config.problems == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[audio]\nmax_volume_pct = 150\n", "2: audio.max_volume_pct: must be 0-100, got 150"),
        ("[audio]\nstart_volume_pct = -1\n", "2: audio.start_volume_pct: must be 0-100, got -1"),
        ("[display]\n\ndpi = 20\n", "3: display.dpi: must be 50-600, got 20"),
        ("[audio]\nfade_ms = 30000\n", "2: audio.fade_ms: must be 0-20000, got 30000"),
        ("[quiet_hours]\nmax_volume_pct = 101\n", "2: quiet_hours.max_volume_pct: must be 0-100, got 101"),
        ("[journal]\nretention_days = 0\n", "2: journal.retention_days: must be 1-36500, got 0"),
        ("[session]\nfailures_before_stop = 0\n", "2: session.failures_before_stop: must be 1-100, got 0"),
        ("[display]\nwidth = 10\n", "2: display.width: must be 320-7680, got 10"),
    ],
)
def test_range_errors(tmp_path, text, expected):
    assert problems(tmp_path, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[audio]\nmax_volume_pct = "80"\n',
            "2: audio.max_volume_pct: must be a whole number, got '80' (text)",
        ),
        ("[audio]\nmax_volume_pct = 80.5\n", "2: audio.max_volume_pct: must be a whole number, got 80.5"),
        ("[audio]\nmax_volume_pct = true\n", "2: audio.max_volume_pct: must be a whole number, got true"),
        ('[display]\nfullscreen = "yes"\n', "2: display.fullscreen: must be true or false, got 'yes' (text)"),
        (
            "[display]\nfullscreen = 1\n",
            "2: display.fullscreen: must be true or false, got 1 (a whole number)",
        ),
        ("[audio]\ndevice = 3\n", "2: audio.device: must be text in quotes, got 3 (a whole number)"),
        ('[display]\ndpi = "high"\n', "2: display.dpi: must be a number, got 'high' (text)"),
        ("audio = 5\n", "1: audio: must be a section written [audio], got a whole number"),
        ('[library]\nmusic_dir = ""\n', "2: library.music_dir: must name a folder, got an empty text"),
    ],
)
def test_type_errors(tmp_path, text, expected):
    assert problems(tmp_path, text)[0].startswith(expected)


def test_unknown_key_suggests_the_right_one(tmp_path):
    assert problems(tmp_path, "[audio]\nmax_volume = 60\n") == [
        "2: audio.max_volume: unknown setting (did you mean 'max_volume_pct'?)"
    ]
    assert problems(tmp_path, "[display]\nfullscren = true\n") == [
        "2: display.fullscren: unknown setting (did you mean 'fullscreen'?)"
    ]


def test_unknown_key_without_a_close_name_has_no_suggestion(tmp_path):
    assert problems(tmp_path, "[audio]\nzzz = 1\n") == ["2: audio.zzz: unknown setting"]


def test_unknown_section_suggests_the_right_one(tmp_path):
    assert problems(tmp_path, "[audoi]\nx = 1\n") == ["1: audoi: unknown section (did you mean [audio]?)"]
    assert problems(tmp_path, "[quiet-hours]\n") == [
        "1: quiet-hours: unknown section (did you mean [quiet_hours]?)"
    ]


def test_bad_choices_name_the_allowed_values(tmp_path):
    assert problems(tmp_path, '[audio]\noutput = "alsaa"\n') == [
        "2: audio.output: must be one of auto, alsa, pulse, pipewire, dummy; got 'alsaa' (did you mean 'alsa'?)"
    ]
    assert problems(tmp_path, '[kiosk]\nmode = "loung"\n') == [
        "2: kiosk.mode: must be one of personal, lounge; got 'loung' (did you mean 'lounge'?)"
    ]


def test_bad_times(tmp_path):
    assert problems(tmp_path, '[quiet_hours]\nstart = "21:00"\nend = "25:00"\n') == [
        "3: quiet_hours.end: '25:00' is not a time like 16:30"
    ]
    assert problems(tmp_path, '[quiet_hours]\nstart = "9pm"\nend = "07:00"\n') == [
        "2: quiet_hours.start: '9pm' is not a time like 16:30"
    ]


def test_toml_time_values_are_accepted(tmp_path):
    config = load_config(write(tmp_path, "[quiet_hours]\nstart = 21:30:00\nend = 06:00:00\n"))
    assert (config.quiet_hours.start, config.quiet_hours.end) == ("21:30", "06:00")
    assert isinstance(dt.time(21, 30), dt.time)


def test_quiet_hours_need_both_ends_and_differ(tmp_path):
    assert problems(tmp_path, '[quiet_hours]\nstart = "21:00"\n') == [
        "1: quiet_hours.end: set both start and end (like 21:00 and 07:00), or neither"
    ]
    assert problems(tmp_path, '[quiet_hours]\nstart = "21:00"\nend = "21:00"\n') == [
        "3: quiet_hours.end: is the same as start (21:00): no quiet hours at all"
    ]


def test_start_volume_above_max(tmp_path):
    assert problems(tmp_path, "[audio]\nmax_volume_pct = 50\nstart_volume_pct = 60\n") == [
        "3: audio.start_volume_pct: must not be above audio.max_volume_pct (50), got 60"
    ]


def test_bad_schedule(tmp_path):
    assert problems(tmp_path, '[schedule]\ndefault = "16:00-18:00 relx"\n') == [
        "2: schedule.default: 'relx' is not a mode (one of: listen, relax, move, sing) (did you mean 'relax'?)"
    ]
    assert problems(tmp_path, '[schedule]\ndefault = "teatime relax"\n') == [
        "2: schedule.default: 'teatime relax' is not like '16:00-18:00 relax'"
    ]
    assert problems(tmp_path, "[schedule]\ndefualt = 1\n") == [
        "2: schedule.defualt: unknown setting (did you mean 'default'?)"
    ]


def test_bad_gpio_pins(tmp_path):
    text = '[gpio]\npin = 3\n[gpio.pins]\n17 = "play_pause"\n40 = "next"\nabc = "like"\n22 = 5\n'
    assert problems(tmp_path, text) == [
        "2: gpio.pin: unknown setting (did you mean 'pins'?)",
        "5: gpio.pins.40: must be a BCM pin number 0-27, got 40",
        "6: gpio.pins.abc: the key must be a BCM pin number 0-27, got 'abc'",
        '7: gpio.pins.22: must be an action name in quotes (like "play_pause"), got 5',
    ]


def test_gpio_inline_table_lines(tmp_path):
    text = '[gpio]\npins = { 17 = "play_pause", 99 = "next" }\n'
    assert problems(tmp_path, text) == ["2: gpio.pins.99: must be a BCM pin number 0-27, got 99"]


def test_gpio_check_plugs_in_and_bad_pins_are_dropped(tmp_path):
    path = write(tmp_path, '[gpio.pins]\n17 = "play_pause"\n27 = "jump"\n')

    def known_actions(pins):
        for pin, action in pins.items():
            if action not in {"play_pause", "next"}:
                yield pin, f"unknown action {action!r}"

    with pytest.raises(UserError) as info:
        load_config(path, gpio_check=known_actions)
    assert info.value.problems == [f"{path}:3: gpio.pins.27: unknown action 'jump'"]
    config = load_config(path, strict=False, gpio_check=known_actions)
    assert config.gpio == {17: "play_pause"}
    whole = load_config(path, strict=False, gpio_check=lambda pins: [(None, "two pins share a button")])
    assert whole.gpio == {}
    assert whole.problems == (f"{path}:1: gpio.pins: two pins share a button",)


def test_bad_pin_hash_and_kiosk_id(tmp_path):
    assert problems(tmp_path, '[kiosk]\nstaff_pin_hash = "1234"\nid = "my kiosk"\n') == [
        "2: kiosk.staff_pin_hash: not a PIN hash made by `kiosk hash-pin` (scrypt$n$r$p$salt$hash); "
        "make one with: kiosk hash-pin",
        "3: kiosk.id: must be 1-64 letters, digits, '.', '_' or '-' (like kiosk-1), got 'my kiosk'",
    ]


def test_good_pin_hash_is_kept(tmp_path):
    line = hash_pin("2468")
    config = load_config(write(tmp_path, f'[kiosk]\nstaff_pin_hash = "{line}"\n'))
    assert config.kiosk.staff_pin_hash == line


def test_toml_syntax_error_has_its_line(tmp_path):
    found = problems(tmp_path, '[audio]\nmax_volume_pct = 50\n\ndevice = "unterminated\n')
    assert len(found) == 1
    assert found[0].startswith("4: not valid TOML:")


def test_undecodable_file_is_a_problem_not_a_traceback(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"\xff\xfe[audio]\n")
    config = load_config(path, strict=False)
    assert config.problems and "cannot read the config file" in config.problems[0]


def test_all_errors_are_reported_at_once_in_file_order(tmp_path):
    found = problems(
        tmp_path,
        "[display]\ndpi = 1000\n[audio]\nmax_volume_pct = 150\nfade_ms = -5\n[kiosk]\nmodee = 1\n",
    )
    assert [p.split(":")[0] for p in found] == ["2", "4", "5", "7"]


def test_non_strict_keeps_good_parts_and_lists_problems(tmp_path):
    path = write(
        tmp_path,
        "[display]\ndpi = 1000\nwidth = 1280\n[audio]\nmax_volume_pct = 150\nstart_volume_pct = 30\n"
        'output = "dummy"\n[audoi]\n[schedule]\ndefault = "16:00-18:00 relax"\n',
    )
    config = load_config(path, strict=False)
    assert config.display.dpi == DisplayConfig().dpi  # bad: default
    assert config.display.width == 1280  # good: kept
    assert config.audio.max_volume_pct == AudioConfig().max_volume_pct
    assert (config.audio.start_volume_pct, config.audio.output) == (30, "dummy")
    assert config.schedule == (ScheduleSlot(960, 1080, Mode.RELAX),)
    assert config.problems == (
        f"{path}:2: display.dpi: must be 50-600, got 1000",
        f"{path}:5: audio.max_volume_pct: must be 0-100, got 150",
        f"{path}:8: audoi: unknown section (did you mean [audio]?)",
    )


def test_non_strict_start_above_max_is_made_safe(tmp_path):
    config = load_config(
        write(tmp_path, "[audio]\nmax_volume_pct = 20\nstart_volume_pct = 60\n"), strict=False
    )
    assert config.audio.max_volume_pct == 20
    assert config.audio.start_volume_pct <= 20
    assert len(config.problems) == 1


def test_non_strict_syntax_error_gives_all_defaults(tmp_path):
    config = load_config(write(tmp_path, "[audio\n"), strict=False)
    assert config.audio == AudioConfig()
    assert len(config.problems) == 1 and ":1: not valid TOML" in config.problems[0]


def test_relative_music_dir_is_relative_to_the_config_file(tmp_path):
    config = load_config(write(tmp_path, '[library]\nmusic_dir = "music"\n'))
    assert config.library.music_dir == tmp_path / "music"


def test_key_lines_handles_dotted_quoted_and_multiline():
    text = (
        'title = """\n[audio]\nfake = 1\n"""\n'  # a multi-line string that looks like a section
        "audio.max_volume_pct = 5\n"
        '[gpio.pins]\n"17" = "play_pause"\n'
        "[ display ]  # screen\ndpi = 100\n"
    )
    lines = key_lines(text)
    assert lines["audio.max_volume_pct"] == 5
    assert "audio.fake" not in lines
    assert lines["gpio.pins.17"] == 7
    assert lines["display"] == 8 and lines["display.dpi"] == 9


def test_strict_error_reaches_the_cli_as_exit_1(tmp_path, capsys):
    from kiosk.cli import Context

    ctx = Context(data_dir=tmp_path, config_path=write(tmp_path, "[audio]\nmax_volume_pct = 150\n"))
    with pytest.raises(UserError):
        ctx.config()


def test_personal_mode_needs_a_resident(tmp_path):
    assert problems(tmp_path, '[kiosk]\nmode = "personal"\n') == [
        "1: kiosk.resident: personal mode needs the staff id of the room's resident (or use lounge)"
    ]
    config = load_config(write(tmp_path, '[kiosk]\nmode = "personal"\n'), strict=False)
    assert config.kiosk.mode == "lounge"


def test_top_level_stray_setting(tmp_path):
    assert problems(tmp_path, "max_volume_pct = 50\n[audio]\n") == [
        "1: max_volume_pct: unknown setting outside any [section]"
    ]


def test_quiet_hours_mode(tmp_path):
    config = load_config(write(tmp_path, '[quiet_hours]\nmode = ""\n'))
    assert config.quiet_hours.mode == ""
    assert problems(tmp_path, '[quiet_hours]\nmode = "sleep"\n')[0].startswith(
        "2: quiet_hours.mode: must be one of listen, relax, move, sing; got 'sleep'"
    )


def test_policy_at_combines_config_and_resident(tmp_path):
    from kiosk.config import policy_at, quiet_hours_of
    from kiosk.domain.models import Resident
    from kiosk.domain.schedule import parse_schedule

    config = load_config(
        write(
            tmp_path,
            '[audio]\nmax_volume_pct = 70\n[quiet_hours]\nstart = "21:00"\nend = "07:00"\nmax_volume_pct = 30\n'
            '[schedule]\ndefault = "16:00-18:00 listen"\n',
        )
    )
    assert quiet_hours_of(Config()) is None
    assert quiet_hours_of(config).start_min == 21 * 60
    ada = Resident("r-1", "A1", "Ada", 1940, volume_cap_pct=60, schedule=parse_schedule("16:00-17:00 relax"))
    afternoon = policy_at(config, 16 * 60 + 30, ada)
    assert (afternoon.mode, afternoon.volume_cap_pct, afternoon.may_start_by_itself) == (Mode.RELAX, 60, True)
    assert policy_at(config, 17 * 60 + 30, ada).mode == Mode.LISTEN
    night = policy_at(config, 23 * 60)
    assert (night.mode, night.volume_cap_pct, night.may_start_by_itself) == (Mode.RELAX, 30, False)
