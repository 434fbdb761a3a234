"""Health checks for ``kiosk doctor`` and the staff "needs attention" list.

Each check is a small function returning one or more :class:`Check` rows (status, name, detail, hint). They
never raise: anything unexpected becomes a FAIL row naming the error. :func:`run_checks` runs them all.
No check changes settings; the only writes are temporary files (a probe in the data folder, a silent WAV that
the audio check plays for 0.3 s to prove the output opens).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.config import Config

OK, WARN, FAIL = "OK", "WARN", "FAIL"
PACKAGES = ("kivy", "python-vlc", "gpiozero", "tinydb", "mutagen")
GB = 1024**3
MB = 1024**2
# The names kiosk.toml uses -> libvlc's audio output modules (libvlc 3 reaches PipeWire through its Pulse server).
VLC_AOUT = {"alsa": "alsa", "pulse": "pulse", "pipewire": "pulse", "dummy": "adummy"}


class Check(NamedTuple):
    """One row: ``status`` is OK, WARN or FAIL; ``hint`` says what to do (empty when nothing to do)."""

    status: str
    name: str
    detail: str
    hint: str = ""


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Hide libasound's own error lines (written straight to fd 2) while libvlc probes the outputs."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def check_python() -> Check:
    return Check(OK, "python", f"{platform.python_version()} ({sys.executable})")  # < 3.11 cannot install


def check_packages() -> Check:
    found, missing = [], []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            FAIL, "packages", "missing: " + ", ".join(missing), "reinstall: make setup (or pip install -e .)"
        )
    return Check(OK, "packages", ", ".join(found))


def alsa_cards(cards_file: Path = Path("/proc/asound/cards")) -> list[str]:
    """Sound card names from /proc/asound/cards, like ``"0: Headphones (bcm2835 Headphones)"``."""
    try:
        text = cards_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    cards = []
    for line in text.splitlines():
        head = line.strip()
        if head[:1].isdigit() and "[" in head:
            number, rest = head.split("[", 1)
            short, _, long_name = rest.partition("]:")
            cards.append(f"{number.strip()}: {short.strip()} ({long_name.strip()})")
    return cards


def check_sound_card(config: Config, cards_file: Path = Path("/proc/asound/cards")) -> Check:
    cards = alsa_cards(cards_file)
    device = config.audio.device or "the system default"
    if not cards:
        return Check(
            WARN,
            "sound card",
            "no sound card: audio goes to dummy output",
            "plug in speakers (jack/HDMI/USB) and check `aplay -l`; a Pi needs dtparam=audio=on",
        )
    return Check(OK, "sound card", f"{'; '.join(cards)}; device: {device}")


def _vlc_args(config: Config) -> list[str]:
    args = ["--quiet", "--no-video"]
    output = config.audio.output
    if output in VLC_AOUT:
        args.append(f"--aout={VLC_AOUT[output]}")
    if output == "alsa" and config.audio.device:
        args.append(f"--alsa-audio-device={config.audio.device}")
    return args


def check_libvlc(config: Config) -> Check:
    hint = "sudo apt install libvlc5 vlc-plugin-base"
    try:
        import vlc

        instance = vlc.Instance(_vlc_args(config))
    except Exception as exc:  # OSError when libvlc is missing, NameError inside python-vlc on old versions
        return Check(FAIL, "libvlc", f"does not load: {type(exc).__name__}: {exc}", hint)
    if instance is None:
        return Check(FAIL, "libvlc", "vlc.Instance() failed (plugins missing?)", hint)
    try:
        version = vlc.libvlc_get_version().decode("utf-8", "replace")
        modules = [m["name"].decode() for m in instance.audio_output_enumerate_devices()]
        wanted = VLC_AOUT.get(config.audio.output)
        detail = f"libvlc {version}, output {config.audio.output}"
        if wanted and wanted not in modules:
            return Check(
                FAIL, "libvlc", f"{detail}: module {wanted!r} missing (has {', '.join(modules)})", hint
            )
        if config.audio.output == "alsa":
            devices = _alsa_devices(vlc, instance)
            name = config.audio.device or "default"
            if config.audio.device and config.audio.device not in devices:
                return Check(
                    WARN,
                    "libvlc",
                    f"{detail}: ALSA device {name!r} not found",
                    "pick one of `aplay -L` for [audio] device"
                    + (f" (e.g. {devices[0]})" if devices else ""),
                )
            detail += f", ALSA device {name}"
        return Check(OK, "libvlc", detail)
    finally:
        instance.release()


def _silent_wav(folder: Path, seconds: float = 0.3) -> Path:
    path = folder / "silence.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return path


def check_audio_output(config: Config, timeout_s: float = 3.0) -> Check:
    """Play 0.3 s of silence through the configured output: libvlc counts the buffers the output took."""
    output = config.audio.output
    target = f"{output} {config.audio.device}".strip() if output == "alsa" else output
    try:
        import vlc

        instance = vlc.Instance(_vlc_args(config))
    except Exception as exc:
        return Check(
            FAIL, "audio output", f"libvlc does not load: {exc}", "sudo apt install libvlc5 vlc-plugin-base"
        )
    if instance is None:
        return Check(
            FAIL, "audio output", "libvlc does not start", "sudo apt install libvlc5 vlc-plugin-base"
        )
    player = instance.media_player_new()
    try:
        with tempfile.TemporaryDirectory(prefix="kiosk-doctor-") as folder:
            media = instance.media_new_path(str(_silent_wav(Path(folder))))
            player.set_media(media)
            player.play()
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline and player.get_state() not in (
                vlc.State.Ended,
                vlc.State.Error,
            ):
                time.sleep(0.02)  # polling from this thread: no libvlc call inside a libvlc callback
            stats = vlc.MediaStats()
            media.get_stats(stats)
            player.stop()
            media.release()
    finally:
        player.release()
        instance.release()
    if stats.played_abuffers > 0:
        return Check(OK, "audio output", f"{target}: played 0.3 s of silence")
    return Check(
        WARN,
        "audio output",
        f"{target}: could not open the sound output",
        "no sound card, wrong [audio] device, or the running kiosk holds it (sudo systemctl stop kiosk, retry)",
    )


def _alsa_devices(vlc: Any, instance: Any) -> list[str]:
    names: list[str] = []
    head = instance.audio_output_device_list_get(b"alsa")
    node = head
    while node:
        names.append(node.contents.device.decode("utf-8", "replace"))
        node = node.contents.next
    if head:
        vlc.libvlc_audio_output_device_list_release(head)
    return names


def check_display(env: dict[str, str] | None = None, dri: Path = Path("/dev/dri")) -> Check:
    env = dict(os.environ) if env is None else env
    for var in ("WAYLAND_DISPLAY", "DISPLAY"):
        if env.get(var):
            return Check(OK, "display", f"{var}={env[var]}")
    cards = sorted(p.name for p in dri.glob("card*")) if dri.is_dir() else []
    if cards:
        return Check(OK, "display", f"no desktop; KMS/DRM {', '.join(cards)} (console kiosk)")
    return Check(
        WARN,
        "display",
        "no screen: no DISPLAY/WAYLAND_DISPLAY and no /dev/dri card",
        "fine for tests and CLI; the kiosk needs a screen (check the cable, `ls /dev/dri`)",
    )


def is_raspberry_pi(model_file: Path = Path("/proc/device-tree/model")) -> str:
    """The Pi model name, or "" off a Pi."""
    try:
        model = model_file.read_text(encoding="utf-8", errors="replace").strip("\x00\n ")
    except OSError:
        return ""
    return model if "Raspberry Pi" in model else ""


def check_gpio(config: Config, model_file: Path = Path("/proc/device-tree/model")) -> Check:
    pins = f"{len(config.gpio)} button(s) configured" if config.gpio else "no buttons configured"
    model = is_raspberry_pi(model_file)
    if not model:
        return Check(WARN, "gpio", f"mock: no GPIO, buttons disabled ({pins})", "normal off a Raspberry Pi")
    factory = os.environ.get("GPIOZERO_PIN_FACTORY", "")
    try:
        import lgpio  # noqa: F401
    except Exception as exc:
        status = FAIL if config.gpio else WARN
        return Check(
            status, "gpio", f"{model}: lgpio missing ({exc})", "sudo apt install python3-lgpio; make setup"
        )
    chips = sorted(Path("/dev").glob("gpiochip*"))
    if not chips or not os.access(chips[0], os.R_OK | os.W_OK):
        where = chips[0] if chips else "/dev/gpiochip*"
        return Check(WARN, "gpio", f"{model}: no access to {where}", "add the user to the gpio group")
    if factory and factory != "lgpio":
        return Check(WARN, "gpio", f"{model}: GPIOZERO_PIN_FACTORY={factory}", "use lgpio on a Pi 4/5")
    return Check(OK, "gpio", f"{model}: lgpio pin factory; {pins}")


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_data_dir(data_dir: Path) -> list[Check]:
    rows = []
    if data_dir.is_dir():
        try:
            with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-") as fh:
                fh.write(b"ok")
                fh.flush()
                os.fsync(fh.fileno())
            rows.append(Check(OK, "data folder", f"{data_dir} writable"))
        except OSError as exc:
            rows.append(
                Check(
                    FAIL, "data folder", f"{data_dir} not writable: {exc.strerror}", "check owner: kiosk user"
                )
            )
    elif data_dir.exists():
        rows.append(Check(FAIL, "data folder", f"{data_dir} is not a folder", "move it away"))
    else:
        parent = _existing(data_dir)
        if os.access(parent, os.W_OK):
            rows.append(Check(OK, "data folder", f"{data_dir} not created yet (made on first use)"))
        else:
            rows.append(
                Check(FAIL, "data folder", f"{data_dir} missing and {parent} not writable", "run install.sh")
            )
    free = shutil.disk_usage(_existing(data_dir)).free
    text = f"{free / GB:.1f} GB free" if free >= GB else f"{free / MB:.0f} MB free"
    hint = "delete old files or use a bigger SD card; the journal stops when the disk is full"
    if free < 100 * MB:
        rows.append(Check(FAIL, "disk space", text, hint))
    elif free < GB:
        rows.append(Check(WARN, "disk space", text, hint))
    else:
        rows.append(Check(OK, "disk space", text))
    return rows


def check_config(config: Config, config_path: Path | None = None) -> Check:
    where = str(config_path) if config_path else "kiosk.toml"
    if config.problems:
        count = len(config.problems)
        detail = f"{count} problem{'s' if count > 1 else ''}:\n" + "\n".join(config.problems)
        return Check(FAIL, "config", detail, f"fix {where}; the kiosk uses defaults for these settings")
    if config_path is not None and not config_path.exists():
        return Check(OK, "config", f"no {where}: defaults apply")
    return Check(OK, "config", f"{where} valid")


def check_music_dir(config: Config) -> Check:
    folder = config.library.music_dir
    if not folder.is_dir():
        return Check(
            WARN, "music folder", f"{folder} missing", "copy music there, or set [library] music_dir"
        )
    if not os.access(folder, os.R_OK | os.X_OK):
        return Check(FAIL, "music folder", f"{folder} not readable", "give the kiosk user read access")
    return Check(OK, "music folder", str(folder))


def _timedatectl() -> str | None:
    """``NTPSynchronized`` from timedatectl: "yes"/"no", or None when systemd cannot tell."""
    if not shutil.which("timedatectl"):
        return None
    try:
        out = subprocess.run(
            ["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return value if out.returncode == 0 and value in ("yes", "no") else None


def check_clock(now: datetime | None = None, ntp: Callable[[], str | None] = _timedatectl) -> Check:
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M UTC")
    if now.year < 2024:
        return Check(
            WARN, "clock", f"{stamp}: implausible", "connect to the network (NTP) or fit an RTC battery"
        )
    synced = ntp()
    if synced == "yes":
        return Check(OK, "clock", f"{stamp}, NTP synchronised")
    if synced == "no":
        return Check(WARN, "clock", f"{stamp}, not NTP synchronised", "check the network; timedatectl status")
    return Check(OK, "clock", f"{stamp} (NTP state unknown: no systemd here)")


def _tail_lines(path: Path, size: int = 16384) -> tuple[list[bytes], bool]:
    """The last whole lines of ``path`` and whether the file ends cleanly (with a newline)."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        length = fh.tell()
        fh.seek(max(0, length - size))
        chunk = fh.read()
    lines = chunk.split(b"\n")
    if length > size:
        lines = lines[1:]  # the first piece may start mid-line
    return [line for line in lines if line.strip()], chunk.endswith(b"\n") or not chunk


def check_journal(data_dir: Path) -> Check:
    folder = data_dir / "events"
    if not folder.is_dir():
        return Check(OK, "journal", "no events recorded yet")
    files = sorted(folder.rglob("*.jsonl"))
    if not files:
        return Check(OK, "journal", "no events recorded yet")
    torn = good = 0
    unreadable = []
    for path in files[-31:]:  # the last month is enough to see a problem; old days were checked before
        try:
            lines, _ = _tail_lines(path)
        except OSError as exc:
            unreadable.append(f"{path.name} ({exc.strerror})")
            continue
        for line in lines:
            try:
                json.loads(line)
                good += 1
            except ValueError:
                torn += 1
    detail = f"{len(files)} day file(s), newest {files[-1].name}; {good} recent events read"
    if unreadable:
        return Check(FAIL, "journal", f"{detail}; unreadable: {', '.join(unreadable)}", "check file owner")
    if torn:
        return Check(
            WARN,
            "journal",
            f"{detail}; {torn} torn line(s) skipped",
            "normal after a power cut: torn lines are skipped, the rest is kept",
        )
    return Check(OK, "journal", detail)


def check_attention(data_dir: Path, limit: int = 10) -> list[Check]:
    path = data_dir / "attention.json"
    try:
        notes = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        return [Check(WARN, "needs attention", f"{path} unreadable: {exc}", "see the kiosk log")]
    if not isinstance(notes, list):
        return [Check(WARN, "needs attention", f"{path} is not a list of notes", "see the kiosk log")]
    rows = []
    for note in notes[:limit]:
        note = note if isinstance(note, dict) else {"message": str(note)}
        kind = str(note.get("kind", "") or "note")
        detail = f"{note.get('at', '?')} {kind}: {note.get('message', '')}".strip()
        rows.append(Check(WARN, "needs attention", detail, "see README: needs attention"))
    if len(notes) > limit:
        rows.append(Check(WARN, "needs attention", f"and {len(notes) - limit} more in {path}"))
    return rows


def run_checks(config: Config, data_dir: Path, config_path: Path | None = None) -> list[Check]:
    """Every check, in the order the table shows them. Never raises."""
    steps: list[Callable[[], Check | list[Check]]] = [
        check_python,
        check_packages,
        lambda: check_config(config, config_path),
        lambda: _quietly(check_libvlc, config),
        lambda: check_sound_card(config),
        lambda: _quietly(check_audio_output, config),
        check_display,
        lambda: check_gpio(config),
        lambda: check_data_dir(Path(data_dir)),
        lambda: check_music_dir(config),
        check_clock,
        lambda: check_journal(Path(data_dir)),
        lambda: check_attention(Path(data_dir)),
    ]
    rows: list[Check] = []
    for step in steps:
        rows.extend(_safe(step))
    return rows


def _quietly(check: Callable[[Config], Check], config: Config) -> Check:
    with _quiet_stderr():
        return check(config)


def _safe(step: Callable[[], Check | list[Check]]) -> Iterator[Check]:
    try:
        result = step()
    except Exception as exc:  # a check must never stop the others
        name = getattr(step, "__name__", "check").removeprefix("check_")
        yield Check(FAIL, name, f"check crashed: {type(exc).__name__}: {exc}", "report this as a bug")
        return
    yield from ([result] if isinstance(result, Check) else result)
