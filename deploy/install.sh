#!/usr/bin/env bash
# Encore installer: turns a fresh Raspberry Pi OS (Bookworm or Trixie, 64-bit, Lite or Desktop) into a kiosk.
#
#   git clone <encore> encore && sudo encore/deploy/install.sh
#
# Safe to run again (that is also how you update: git pull, then run it again). It asks what it needs to know
# (audio output, display, staff PIN, backup passphrase) unless given as options. Every change is printed;
# --dry-run prints them without changing anything.
#
# Options:
#   --audio jack|hdmi|usb|i2s|card:NAME   where the sound goes (ALSA card; Pi 5 has no jack)
#   --i2s-overlay NAME                    add dtoverlay=NAME to config.txt (an I2S amplifier/DAC HAT)
#   --display official7|touch2|touch2-landscape|hdmi   the screen (sets DPI and size in kiosk.toml)
#   --dpi N                               screen dots per inch (HDMI screens: pixels across the diagonal / inches)
#   --pin-stdin                           read the staff PIN (4-8 digits) from standard input
#   --backup-passphrase-file FILE         the passphrase for backups leaving the Pi (else asked, or generated)
#   --skip-apt                            do not install Debian packages
#   --yes                                 never ask: use the options and defaults
#   --root DIR                            install into DIR instead of / (an image, or a test); system commands
#                                         (apt, useradd, systemctl, pip, chown) are printed and skipped
#   --dry-run                             print every change, change nothing
#   -h, --help
# For tests and unusual systems: ENCORE_PYTHON (the python3 to use), ENCORE_ARCH (dpkg architecture).
set -euo pipefail
umask 022

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/opt/encore
KIOSK_USER=kiosk
KIOSK_GROUPS=(audio video render input gpio)
CONFIG=/etc/kiosk/kiosk.toml
PASS_FILE=/etc/kiosk/backup.pass
ALSA_CONF=/etc/alsa/conf.d/60-encore.conf
PYTHON=${ENCORE_PYTHON:-python3}
APT_PACKAGES=(libvlc5 vlc-plugin-base libsdl2-2.0-0 libsdl2-image-2.0-0 libsdl2-ttf-2.0-0 libmtdev1 libgl1
  libegl1 libgles2 libgbm1 libdrm2 python3-venv python3-pip alsa-utils gnupg polkitd systemd-timesyncd util-linux)
# GPIO on a Pi 5 (and 4): lgpio. PyPI has a wheel for Python 3.11 (Bookworm) but not for 3.13 (Trixie), so the
# venv sees the system's python3-lgpio from the Raspberry Pi OS archive.
APT_PACKAGES_PI=(liblgpio1 python3-lgpio)
KIOSK_UNITS=(kiosk.service kiosk-backup.service kiosk-backup.timer kiosk-report.service kiosk-report.timer
  kiosk-usb-mount@.service)

root=/
dry_run=0
assume_yes=0
skip_apt=0
pin_stdin=0
audio=""
i2s_overlay=""
display=""
dpi=""
passphrase_src=""
changes=0
commands=0
reboot_reasons=""

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install: $*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
note() { printf '  note: %s\n' "$*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --audio) audio=${2:?--audio needs jack, hdmi, usb, i2s or card:NAME}; shift ;;
    --i2s-overlay) i2s_overlay=${2:?--i2s-overlay needs an overlay name}; shift ;;
    --display) display=${2:?--display needs official7, touch2, touch2-landscape or hdmi}; shift ;;
    --dpi) dpi=${2:?--dpi needs a number}; shift ;;
    --pin-stdin) pin_stdin=1 ;;
    --backup-passphrase-file) passphrase_src=${2:?--backup-passphrase-file needs a file}; shift ;;
    --skip-apt) skip_apt=1 ;;
    --yes|-y) assume_yes=1 ;;
    --root) root=${2:?--root needs a folder}; shift ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

case "$audio" in ''|jack|hdmi|usb|i2s|card:?*) ;; *) die "--audio: '$audio' is not one of jack, hdmi, usb, i2s, card:NAME" ;; esac
case "$display" in ''|official7|touch2|touch2-landscape|hdmi) ;; *) die "--display: '$display' is not one of official7, touch2, touch2-landscape, hdmi" ;; esac
case "$dpi" in ''|[1-9][0-9]|[1-9][0-9][0-9]) ;; *) die "--dpi: '$dpi' is not a number from 10 to 999" ;; esac
[ -d "$root" ] || die "--root: $root is not a folder"
root=$(cd "$root" && pwd)
fake_root=0
[ "$root" = / ] || fake_root=1
interactive=0
if [ "$assume_yes" -eq 0 ] && [ -t 0 ] && [ "$pin_stdin" -eq 0 ]; then
  interactive=1
fi

# shellcheck source-path=SCRIPTDIR source=lib/primitives.sh
. "$SRC/deploy/lib/primitives.sh"
# shellcheck source-path=SCRIPTDIR source=lib/settings.sh
. "$SRC/deploy/lib/settings.sh"

# ---------------------------------------------------------------------------------------------------------------
# 1. Refuse clearly on systems the kiosk cannot run on.

preflight() {
  local arch pyver model
  if [ "$dry_run" -eq 0 ] && [ "$fake_root" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
    die "run me as root: sudo $0 (or try --dry-run first)"
  fi
  [ -d "$(p /run/systemd/system)" ] || die "this system does not run systemd; Encore needs Raspberry Pi OS (Bookworm or Trixie)"
  arch=${ENCORE_ARCH:-$(dpkg --print-architecture 2>/dev/null || uname -m)}
  case "$arch" in
    arm64|aarch64) ;;
    amd64|x86_64) note "a PC ($arch), not a Pi: fine for a trial, no GPIO" ;;
    armhf|armel|i386|armv7l|armv6l) die "this is a 32-bit system ($arch): flash Raspberry Pi OS (64-bit) instead" ;;
    *) die "unsupported architecture '$arch': Encore needs 64-bit Raspberry Pi OS" ;;
  esac
  command -v "$PYTHON" >/dev/null 2>&1 || die "python3 not found: install it (sudo apt install python3)"
  pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || die "$PYTHON does not run"
  case "$pyver" in
    3.1[1-9]|3.[2-9][0-9]|[4-9].*) ;;
    *) die "Python $pyver is too old: Encore needs 3.11 or newer (Raspberry Pi OS Bookworm or Trixie)" ;;
  esac
  model=""
  if [ -r "$(p /proc/device-tree/model)" ]; then model=$(tr -d '\0' < "$(p /proc/device-tree/model)"); fi
  if [ -f "$(p /etc/os-release)" ]; then
    # shellcheck disable=SC1090
    codename=$(. "$(p /etc/os-release)" && echo "${VERSION_CODENAME:-}")
    case "$codename" in bookworm|trixie) ;; *) note "untested OS release '${codename:-unknown}' (Bookworm and Trixie are tested)" ;; esac
  fi
  is_pi5=0
  case "$model" in *"Raspberry Pi 5"*) is_pi5=1 ;; esac
  say "Encore installer: ${model:-unknown hardware}, $arch, Python $pyver, target root $root$([ "$dry_run" -eq 1 ] && echo ' (dry run: nothing changes)')"
}

# ---------------------------------------------------------------------------------------------------------------
# 3. The install.

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_packages() {
  [ "$skip_apt" -eq 0 ] || { say "skipping Debian packages (--skip-apt)"; return 0; }
  local wanted=("${APT_PACKAGES[@]}") missing=() pkg
  case "${ENCORE_ARCH:-$(dpkg --print-architecture 2>/dev/null || uname -m)}" in
    arm64|aarch64)
      for pkg in "${APT_PACKAGES_PI[@]}"; do
        if [ "$fake_root" -eq 1 ] || apt-cache show "$pkg" >/dev/null 2>&1; then wanted+=("$pkg"); fi
      done
      ;;
  esac
  for pkg in "${wanted[@]}"; do
    # Trixie renamed some libraries (libmtdev1 -> libmtdev1t64); apt installs the new name when asked for the old.
    if [ "$fake_root" -eq 1 ] || ! { pkg_installed "$pkg" || pkg_installed "${pkg}t64"; }; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -gt 0 ] || { say "Debian packages: all present"; return 0; }
  run apt-get update
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

ensure_user() {
  if has_user "$KIOSK_USER"; then
    say "user $KIOSK_USER: exists"
  else
    run useradd --system --user-group --home-dir /var/lib/kiosk --no-create-home --shell /usr/sbin/nologin \
      --comment "Encore kiosk" "$KIOSK_USER"
  fi
  local g
  for g in "${KIOSK_GROUPS[@]}"; do
    if ! has_group "$g"; then
      note "group $g does not exist here (fine off a Pi; on a Pi, ${g} access may fail)"
      continue
    fi
    in_group "$KIOSK_USER" "$g" || run usermod -aG "$g" "$KIOSK_USER"
  done
}

install_venv() {
  local extra="" checker=$PYTHON
  [ -x "$(p $PREFIX/bin/python)" ] && [ "$fake_root" -eq 0 ] && checker=$PREFIX/bin/python
  case "${ENCORE_ARCH:-$(dpkg --print-architecture 2>/dev/null || uname -m)}" in
    arm64|aarch64)
      # lgpio from PyPI only when the system's python3-lgpio is not there to be seen.
      if [ "$fake_root" -eq 1 ] || ! "$checker" -c 'import lgpio' >/dev/null 2>&1; then extra="[pi]"; fi
      ;;
  esac
  ensure_dir /opt/encore 0755 root:root
  if [ ! -x "$(p $PREFIX/bin/python)" ]; then
    run "$PYTHON" -m venv --system-site-packages "$PREFIX"
  fi
  run "$PREFIX/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  # Build from a copy, so no root-owned build files are left in the volunteer's checkout.
  local staged=$SRC
  if [ "$dry_run" -eq 0 ] && [ "$fake_root" -eq 0 ]; then
    staged=$(mktemp -d /tmp/encore-src.XXXXXX)
    tar -C "$SRC" --exclude=./.git --exclude=./.venv --exclude=./demo-data --exclude=./build -cf - . | tar -C "$staged" -xf -
  fi
  run "$PREFIX/bin/pip" install --quiet --disable-pip-version-check --upgrade "$staged$extra"
  [ "$staged" = "$SRC" ] || rm -rf "$staged"
  ensure_dir $PREFIX/libexec 0755 root:root
  put_file "$SRC/deploy/kiosk-backup.sh" $PREFIX/libexec/kiosk-backup.sh 0755 root:root
  put_file "$SRC/deploy/kiosk-usb-mount.sh" $PREFIX/libexec/kiosk-usb-mount.sh 0755 root:root
  ensure_dir $PREFIX/share 0755 root:root
  ensure_dir $PREFIX/share/doc 0755 root:root
  ensure_dir $PREFIX/share/doc/encore 0755 root:root
  local doc
  for doc in docs/guide/deploy.md docs/pi-acceptance.md; do
    [ -f "$SRC/$doc" ] && put_file "$SRC/$doc" "$PREFIX/share/doc/encore/$(basename "$doc")" 0644 root:root
  done
  return 0
}

install_folders() {
  ensure_dir /etc/kiosk 0750 root:$KIOSK_USER
  ensure_dir /var/lib/kiosk 0700 $KIOSK_USER:$KIOSK_USER
  ensure_dir /var/lib/kiosk/kivy 0700 $KIOSK_USER:$KIOSK_USER
  ensure_system_dir /srv/kiosk 0755 root:root
  ensure_dir /srv/kiosk/music 0755 $KIOSK_USER:$KIOSK_USER
  ensure_dir /var/backups/kiosk 0700 root:root
  ensure_dir /media/kiosk-usb 0755 root:root
}

install_system_files() {
  local unit
  for unit in "${KIOSK_UNITS[@]}"; do
    put_file "$SRC/systemd/$unit" "/etc/systemd/system/$unit" 0644 root:root
  done
  put_file "$SRC/deploy/udev/99-encore-usb.rules" /etc/udev/rules.d/99-encore-usb.rules 0644 root:root
  ensure_system_dir /etc/polkit-1 0755 root:root
  ensure_system_dir /etc/polkit-1/rules.d 0755 root:root
  put_file "$SRC/deploy/polkit/50-encore-kiosk.rules" /etc/polkit-1/rules.d/50-encore-kiosk.rules 0644 root:root
  ensure_system_dir /etc/systemd/journald.conf.d 0755 root:root
  put_file "$SRC/deploy/journald/50-encore.conf" /etc/systemd/journald.conf.d/50-encore.conf 0644 root:root
  # The console: never blank, no blinking cursor over the kiosk; the kiosk takes tty1 instead of a login prompt.
  add_kernel_arg consoleblank=0
  add_kernel_arg vt.global_cursor_default=0
}

enable_services() {
  run systemctl daemon-reload
  run udevadm control --reload-rules
  run systemctl enable kiosk.service kiosk-backup.timer kiosk-report.timer
  run systemctl enable --now systemd-timesyncd.service
  run systemctl disable getty@tty1.service
  run systemctl restart systemd-journald.service
  local target
  target=$(systemctl get-default 2>/dev/null || echo unknown)
  if [ "$fake_root" -eq 1 ] || [ "$target" = graphical.target ]; then
    note "the kiosk draws straight on the screen: the Pi boots to the console, not the desktop"
    note "(to get the desktop back: sudo systemctl set-default graphical.target; sudo systemctl disable kiosk)"
    run systemctl set-default multi-user.target
  fi
  if [ "$fake_root" -eq 0 ] && [ "$dry_run" -eq 0 ] && systemctl is-active --quiet kiosk.service; then
    run systemctl restart kiosk.service
  fi
  return 0
}

next_steps() {
  say ""
  if [ "$dry_run" -eq 1 ]; then
    say "Dry run: $changes file change(s) and $commands command(s) would be made. Run without --dry-run to make them."
    return 0
  fi
  if [ "$fake_root" -eq 1 ]; then
    say "Done: $changes file change(s) under $root; $commands system command(s) skipped (--root)."
  else
    say "Done: $changes file change(s), $commands command(s)."
  fi
  say "Next:"
  say "  1. Copy music into /srv/kiosk/music (sudo cp -r ... /srv/kiosk/music && sudo chown -R kiosk: /srv/kiosk/music)"
  say "     then index it: sudo -u kiosk /opt/encore/bin/kiosk scan"
  say "  2. Load residents: sudo -u kiosk /opt/encore/bin/kiosk residents import FILE.csv"
  say "  3. Check everything: sudo -u kiosk /opt/encore/bin/kiosk doctor"
  say "  4. Reboot (sudo reboot): the kiosk starts by itself on the screen."
  if [ "${generated_pass:-0}" -eq 1 ]; then
    say "  5. A backup passphrase was generated. Write it down and keep it away from the Pi:"
    say "       sudo cat $PASS_FILE"
  fi
  say "Settings: $CONFIG.  Logs: journalctl -u kiosk.  Checklist before it goes to a home: docs/pi-acceptance.md"
  if [ -n "$reboot_reasons" ]; then
    say ""
    say "REBOOT NEEDED ($reboot_reasons): sudo reboot"
  fi
}

main() {
  preflight
  config_is_new=0
  [ -f "$(p "$CONFIG")" ] || config_is_new=1
  questions
  read_pin
  install_packages
  ensure_user
  install_folders
  install_venv
  install_config
  install_backup_passphrase
  install_system_files
  enable_services
  next_steps
}

main "$@"
