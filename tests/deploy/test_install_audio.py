"""install.sh and sound: an I2S HAT on a fresh Pi (two runs around a reboot), HDMI, and the mixing device.

The look-alike root's /proc/asound/cards stands for the cards the kernel sees; the ALSA file the installer
writes is read by the real alsa-lib (`aplay -L` with ALSA_CONFIG_PATH), which resolves the chain down to the
card (there is no sound card here, so opening it ends at "Cannot get card index for <card>").
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, run, tree
from tests.deploy.test_install import PI_ENV

INSTALL = str(DEPLOY / "install.sh")
ALSA_CONF = "etc/alsa/conf.d/60-encore.conf"
HAT_CARDS = " 0 [sndrpihifiberry]: HifiberryDac - snd_rpi_hifiberry_dac\n                      snd_rpi_hifiberry_dac\n"
PI5_CARDS = (
    " 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0\n                      vc4-hdmi-0\n"
    " 1 [vc4hdmi1       ]: vc4-hdmi - vc4-hdmi-1\n                      vc4-hdmi-1\n"
)


def _install(root: Path, *args: str, dry: bool = False):
    return run([INSTALL, *(["--dry-run"] if dry else []), "--root", str(root), "--yes", *args], env=PI_ENV)


def _cards(root: Path, text: str) -> None:
    (root / "proc/asound").mkdir(parents=True, exist_ok=True)
    (root / "proc/asound/cards").write_text(text)


def _config(root: Path) -> dict:
    return tomllib.loads((root / "etc/kiosk/kiosk.toml").read_text())


def test_i2s_hat_on_a_fresh_pi_overlay_then_reboot_then_the_card(fake_root: Path) -> None:
    hat = ["--audio", "i2s", "--i2s-overlay", "hifiberry-dac"]
    before = tree(fake_root)
    dry = _install(fake_root, *hat, dry=True)
    assert dry.returncode == 0, dry.stderr
    assert "would add 'dtoverlay=hifiberry-dac' to /boot/firmware/config.txt" in dry.stdout
    assert "would change dtparam=audio= to dtparam=audio=off in /boot/firmware/config.txt" in dry.stdout
    assert tree(fake_root) == before

    first = _install(fake_root, *hat)  # no I2S card before the first reboot: no stop half-way
    assert first.returncode == 0, first.stderr
    config_txt = (fake_root / "boot/firmware/config.txt").read_text().splitlines()
    assert "dtoverlay=hifiberry-dac" in config_txt  # what the dry run announced is what --root did
    assert "dtparam=audio=off" in config_txt and "dtparam=audio=on" not in config_txt
    assert "REBOOT NEEDED" in first.stdout and "run this installer again after it" in first.stdout
    assert _config(fake_root)["audio"]["device"] == ""  # as the example has it: the kiosk picks by itself
    assert not (fake_root / ALSA_CONF).exists()

    _cards(fake_root, HAT_CARDS)  # the reboot: the HAT's card is there now
    second = _install(fake_root, *hat)
    assert second.returncode == 0, second.stderr
    assert _config(fake_root)["audio"]["device"] == "encore"
    conf = (fake_root / ALSA_CONF).read_text()
    assert 'pcm "hw:CARD=sndrpihifiberry,DEV=0"' in conf and "type dmix" in conf
    assert "REBOOT NEEDED" not in second.stdout

    third = _install(fake_root, *hat)
    assert "Done: 0 file change(s)" in third.stdout and "REBOOT NEEDED" not in third.stdout


def test_i2s_without_an_overlay_is_a_clear_error(fake_root: Path) -> None:
    done = _install(fake_root, "--audio", "i2s")
    assert done.returncode == 1 and "--audio i2s needs --i2s-overlay NAME" in done.stderr


@pytest.mark.parametrize(("cards", "card"), [(None, "vc4hdmi0"), (PI5_CARDS, "vc4hdmi0")])
def test_hdmi_uses_the_iec958_device_not_raw_pcm(fake_root: Path, cards: str | None, card: str) -> None:
    if cards:
        _cards(fake_root, cards)
    done = _install(fake_root, "--audio", "hdmi")
    assert done.returncode == 0, done.stderr
    conf = (fake_root / ALSA_CONF).read_text()
    assert f'slave.pcm "hdmi:CARD={card}"' in conf
    assert "plughw" not in conf and "type dmix" not in conf  # dmix cannot mix IEC958 subframes
    assert _config(fake_root)["audio"]["device"] == "encore"


def test_usb_speaker_gets_the_mixing_device(fake_root: Path) -> None:
    _cards(
        fake_root,
        " 0 [Headphones     ]: bcm2835 - bcm2835 Headphones\n 2 [Speaker        ]: USB-Audio - USB Speaker\n",
    )
    done = _install(fake_root, "--audio", "usb")
    assert done.returncode == 0, done.stderr
    assert 'pcm "hw:CARD=Speaker,DEV=0"' in (fake_root / ALSA_CONF).read_text()


def _alsa(conf: Path, tmp_path: Path, *args: str):
    top = tmp_path / "alsa-top.conf"
    top.write_text(f"</usr/share/alsa/alsa.conf>\n<{conf}>\n")
    return run(["aplay", *args], env={"ALSA_CONFIG_PATH": str(top)})


@pytest.mark.parametrize(
    ("audio", "reached"),
    [
        ("jack", "Cannot get card index for Headphones"),  # plug -> dmix -> hw:CARD=Headphones
        ("hdmi", "Unknown PCM hdmi:CARD=vc4hdmi0"),  # plug -> hdmi (defined by the card's own file, on a Pi)
    ],
)
def test_alsa_lib_reads_the_device_and_resolves_it_to_the_card(
    fake_root: Path, tmp_path: Path, audio: str, reached: str
) -> None:
    if shutil.which("aplay") is None or not Path("/usr/share/alsa/alsa.conf").exists():
        pytest.skip("alsa-utils (aplay) is not installed (scripts/apt-packages.txt)")
    assert _install(fake_root, "--audio", audio).returncode == 0
    conf = fake_root / ALSA_CONF
    listed = _alsa(conf, tmp_path, "-L")
    assert "encore\n" in listed.stdout and "Encore:" in listed.stdout, listed.stdout + listed.stderr
    assert "Unexpected" not in listed.stderr and "corrupted" not in listed.stderr
    opened = _alsa(conf, tmp_path, "-q", "-D", "encore", "-d", "1", "/dev/zero")
    assert opened.returncode != 0 and reached in opened.stderr, opened.stderr
