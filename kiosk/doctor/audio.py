"""Sound checks: libvlc loads, the ALSA device exists, the output really opens, the sound cards."""

from __future__ import annotations

import re
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.doctor.rows import FAIL, OK, WARN, Check

# The names kiosk.toml uses -> libvlc's audio output modules (libvlc 3 reaches PipeWire through its Pulse server).
VLC_AOUT = {"alsa": "alsa", "pulse": "pulse", "pipewire": "pulse", "dummy": "adummy"}


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


_RAW_DEVICE = re.compile(r"^(plughw|hw):(?:CARD=)?([^,]+)")


def check_hdmi_device(config: Config, cards_file: Path = Path("/proc/asound/cards")) -> Check | None:
    """FAIL a ``plughw:``/``hw:`` device on a Pi's vc4hdmi card: that card takes only IEC958 subframes, so
    raw PCM never plays (no error a person would see, only silence). None when the device is not such a one."""
    if config.audio.output not in ("alsa", "auto"):
        return None
    match = _RAW_DEVICE.match(config.audio.device.strip())
    if match is None:
        return None
    card = match.group(2)
    if card.isdigit():  # hw:1 -> the card's short name from /proc/asound/cards ("1: vc4hdmi0 (vc4-hdmi-0)")
        names = {c.split(":", 1)[0]: c.split(":", 1)[1].split("(")[0].strip() for c in alsa_cards(cards_file)}
        card = names.get(card, card)
    if not card.startswith("vc4hdmi"):
        return None
    right = f"hdmi:CARD={card}"
    return Check(
        FAIL,
        "hdmi sound",
        f"[audio] device {config.audio.device!r}: the Pi's HDMI card {card} takes only IEC958 data, "
        "so raw PCM stays silent",
        f'set [audio] device = "{right}" in kiosk.toml (or re-run deploy/install.sh --audio hdmi)',
    )


def _vlc_args(config: Config) -> list[str]:
    args = ["--quiet", "--no-video"]
    output = config.audio.output
    if output in VLC_AOUT:
        args.append(f"--aout={VLC_AOUT[output]}")
    if output == "alsa" and config.audio.device:
        args.append(f"--alsa-audio-device={config.audio.device}")
    return args


# Where Debian and Raspberry Pi OS keep libvlc's plugins; libvlc-bin's vlc-cache-gen writes plugins.dat there.
VLC_PLUGIN_DIRS = ("/usr/lib/*/vlc/plugins", "/usr/lib/vlc/plugins")


def plugin_cache_problem(patterns: tuple[str, ...] = VLC_PLUGIN_DIRS) -> str | None:
    """What is wrong with libvlc's plugin cache, or None. Without ``plugins.dat`` libvlc loads every one of
    its ~350 plugins (and the codec libraries behind them) into the kiosk at start: ~38 MB more memory
    (bench/library.py measured 245 MB against 208 MB with the cache)."""
    for pattern in patterns:
        for folder in sorted(Path("/").glob(pattern.lstrip("/"))):
            if folder.is_dir() and not (folder / "plugins.dat").is_file():
                return f"no plugin cache in {folder}: every start loads all its plugins (~38 MB more memory)"
    return None


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
        cache = plugin_cache_problem()
        if cache is not None:
            return Check(
                WARN, "libvlc", f"{detail}: {cache}", "sudo apt install libvlc-bin (it keeps the cache)"
            )
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
