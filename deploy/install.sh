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
#   --rtc ds3231|pcf8523|ds1307|pcf85063a|pi5-battery   a clock that runs while the Pi is off (homes without
#                                         network time): an RTC HAT's overlay, or charging the Pi 5's RTC battery
#   --release-key FILE                    the project's Ed25519 public key, for signed USB update bundles
#   --voice                               also install the gentle voice's engine (piper-tts, GPL-3.0: the [voice]
#                                         extra, from requirements/pyX-voice.lock); remembered for updates.
#                                         Voices themselves: kiosk voice install FILE (docs/guide/voice.md)
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
# The data folder's format: bump it in a release whose kiosk changes the files in /var/lib/kiosk, so that an
# update to it takes a backup first and a flip back restores that backup (deploy/kiosk-release.sh).
DATA_FORMAT=2  # 2: catalogue in shards (catalogue/), rollup sessions in rollups-YYYY-MM.jsonl
KIOSK_USER=kiosk
KIOSK_GROUPS=(audio video render input gpio)
CONFIG=/etc/kiosk/kiosk.toml
PASS_FILE=/etc/kiosk/backup.pass
ALSA_CONF=/etc/alsa/conf.d/60-encore.conf
PYTHON=${ENCORE_PYTHON:-python3}
APT_PACKAGES=(libvlc5 vlc-plugin-base libvlc-bin libsdl2-2.0-0 libsdl2-image-2.0-0 libsdl2-ttf-2.0-0 libmtdev1 libgl1
  libegl1 libgles2 libgbm1 libdrm2 python3-venv python3-pip alsa-utils gnupg polkitd systemd-timesyncd util-linux
  libportaudio2 ffmpeg build-essential python3-dev)  # Play along: mixer output, decoder, aubio's build
# (libvlc-bin: libvlc's plugin cache; without it every start loads all ~350 plugins, ~38 MB more memory)
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
voice=0
audio=""
i2s_overlay=""
rtc=""
release_key=""
display=""
dpi=""
passphrase_src=""
changes=0
commands=0
kiosk_restarted=0
reboot_reasons=""

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "install: $*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }
note() { printf '  note: %s\n' "$*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --audio) audio=${2:?--audio needs jack, hdmi, usb, i2s or card:NAME}; shift ;;
    --i2s-overlay) i2s_overlay=${2:?--i2s-overlay needs an overlay name}; shift ;;
    --display) display=${2:?--display needs official7, touch2, touch2-landscape or hdmi}; shift ;;
    --dpi) dpi=${2:?--dpi needs a number}; shift ;;
    --rtc) rtc=${2:?--rtc needs a model}; shift ;;
    --release-key) release_key=${2:?--release-key needs a file}; shift ;;
    --voice) voice=1 ;;
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
case "$rtc" in ''|ds3231|pcf8523|ds1307|pcf85063a|pi5-battery) ;; *) die "--rtc: '$rtc' is not one of ds3231, pcf8523, ds1307, pcf85063a, pi5-battery" ;; esac
if [ -n "$release_key" ] && ! openssl pkey -pubin -in "$release_key" -noout >/dev/null 2>&1; then
  die "--release-key: $release_key is not a public key (PEM; made with: openssl pkey -in KEY -pubout)"
fi
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

release_id() {  # <version>-<commit> of the checkout (or bundle) being installed
  local version commit
  version=$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$SRC/pyproject.toml" 2>/dev/null) \
    || die "cannot read the version from $SRC/pyproject.toml"
  if [ -f "$SRC/COMMIT" ]; then
    commit=$(tr -dc '0-9a-z-' < "$SRC/COMMIT" | cut -c1-24)
  else
    commit=$(git -C "$SRC" rev-parse --short=12 HEAD 2>/dev/null || true)
    if [ -n "$commit" ] && [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
      # A checkout with local changes: named after them too, so a different change is a different release.
      commit="$commit-mod$(git -C "$SRC" diff HEAD | sha256sum | cut -c1-8)"
    fi
  fi
  printf '%s-%s' "$version" "${commit:-unknown}"
}

build_release() {  # a release folder of its own: venv from the hashed lock, Encore, its scripts and docs
  local pyver lock extra_index=() staged=$SRC
  release=$(release_id)
  [ "$voice" -eq 1 ] && release=$release-voice  # its own release: the same commit without the voice differs
  release_dir=$PREFIX/releases/$release
  pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  lock=$SRC/requirements/py$pyver.lock
  [ -f "$lock" ] || die "no dependency lock for Python $pyver ($lock): Encore supports 3.11 (Bookworm) and 3.13 (Trixie)"
  if [ "$voice" -eq 1 ]; then
    lock=$SRC/requirements/py$pyver-voice.lock
    [ -f "$lock" ] || die "--voice: no voice lock for Python $pyver ($lock): make it with scripts/lock.sh"
  fi
  ensure_dir $PREFIX 0755 root:root
  ensure_dir $PREFIX/releases 0755 root:root
  if [ -x "$(p "$release_dir/bin/kiosk")" ] || { [ "$fake_root" -eq 1 ] && [ -d "$(p "$release_dir")" ]; }; then
    say "release $release: exists (kept)"
  else
    # Built beside the others under a hidden name, then renamed: a half-built release never counts.
    local building=$PREFIX/releases/.$release.building
    [ -d "$SRC/wheels" ] && extra_index=(--no-index --find-links "$SRC/wheels")  # an offline USB bundle
    if [ "$dry_run" -eq 0 ] && [ "$fake_root" -eq 0 ]; then
      rm -rf "$building"
      staged=$(mktemp -d /tmp/encore-src.XXXXXX)
      tar -C "$SRC" --exclude=./.git --exclude=./.venv --exclude=./demo-data --exclude=./build --exclude=./wheels -cf - . | tar -C "$staged" -xf -
      printf '%s\n' "$(release_id | sed 's/^[^-]*-//')" > "$staged/kiosk/_commit.txt"
    fi
    run "$PYTHON" -m venv --system-site-packages "$building"
    run "$building/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps "${extra_index[@]}" -r "$lock"
    run "$building/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation "$staged"
    [ "$staged" = "$SRC" ] || rm -rf "$staged"
    ensure_dir "$building" 0755 root:root
    ensure_dir "$building/share" 0755 root:root
    ensure_dir "$building/share/encore" 0755 root:root
    printf '%s\n' "$DATA_FORMAT" | put_text "$building/share/encore/data-format" 0644 root:root
    if [ -d "$(p "$release_dir")" ] && [ "$dry_run" -eq 0 ]; then rm -rf "$(p "$release_dir")"; fi
    if [ "$dry_run" -eq 1 ]; then
      say "would rename $building to $release_dir"
    else
      mv -T "$(p "$building")" "$(p "$release_dir")"
      say "built release $release_dir"
    fi
    changes=$((changes + 1))
  fi
  ensure_dir "$release_dir/libexec" 0755 root:root
  put_file "$SRC/deploy/kiosk-backup.sh" "$release_dir/libexec/kiosk-backup.sh" 0755 root:root
  put_file "$SRC/deploy/kiosk-usb-mount.sh" "$release_dir/libexec/kiosk-usb-mount.sh" 0755 root:root
  put_file "$SRC/deploy/kiosk-release.sh" "$release_dir/libexec/kiosk-release.sh" 0755 root:root
  ensure_dir "$release_dir/share/doc" 0755 root:root
  ensure_dir "$release_dir/share/doc/encore" 0755 root:root
  local doc
  for doc in docs/guide/deploy.md docs/pi-acceptance.md; do
    [ -f "$SRC/$doc" ] && put_file "$SRC/$doc" "$release_dir/share/doc/encore/$(basename "$doc")" 0644 root:root
  done
  return 0
}

link_prefix() {  # /opt/encore/{bin,libexec,share} -> current/...: the paths the units and the docs use
  local name t
  if [ -f "$(p $PREFIX/pyvenv.cfg)" ]; then  # the layout before releases: one venv in /opt/encore itself
    note "replacing the old single-venv layout in $PREFIX with releases side by side"
    for name in bin lib lib64 include libexec share pyvenv.cfg; do
      t=$(p "$PREFIX/$name")
      [ -e "$t" ] || [ -L "$t" ] || continue
      changes=$((changes + 1))
      if [ "$dry_run" -eq 1 ]; then say "would remove $PREFIX/$name (old layout)"; else rm -rf "$t"; say "removed $PREFIX/$name (old layout)"; fi
    done
  fi
  for name in bin libexec share; do
    t=$(p "$PREFIX/$name")
    [ "$(readlink "$t" 2>/dev/null)" = "current/$name" ] && continue
    changes=$((changes + 1))
    if [ "$dry_run" -eq 1 ]; then say "would link $PREFIX/$name -> current/$name"; continue; fi
    ln -sfn "current/$name" "$t.new" && mv -T "$t.new" "$t"
    say "linked $PREFIX/$name -> current/$name"
  done
}

activate_release() {  # flip current to the new release; a running kiosk is restarted with a health check
  local cur t
  t=$(p $PREFIX/current)
  cur=$(basename "$(readlink "$t" 2>/dev/null)" 2>/dev/null || true)
  [ "$cur" = "$release" ] && return 0
  changes=$((changes + 1))
  if [ "$dry_run" -eq 1 ]; then say "would make release $release current${cur:+ (was $cur)}"; return 0; fi
  if [ "$fake_root" -eq 0 ] && systemctl is-active --quiet kiosk.service; then
    # The update: waits for the music to stop, backs up before a data-format change, restarts, checks, and
    # flips back by itself when the new release is not healthy.
    "$SRC/deploy/kiosk-release.sh" activate "$release" || die "the update did not complete (see above); the kiosk runs the release it had"
    kiosk_restarted=1
  else
    ln -sfn "releases/$release" "$(p $PREFIX/.current.new)" && mv -T "$(p $PREFIX/.current.new)" "$t"
    say "release $release is current${cur:+ (was $cur)}"
  fi
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

remember_voice() {  # --voice is kept for updates: kiosk-release.sh runs this installer again without options
  if [ "$voice" -eq 1 ]; then
    printf '%s\n' "the [voice] extra (piper-tts) is installed: install.sh --voice. Delete this file to leave it out." \
      | put_text /etc/kiosk/voice-extra 0644 root:root
  elif [ -f "$(p /etc/kiosk/voice-extra)" ]; then
    voice=1
    note "keeping the voice extra (installed with --voice before: /etc/kiosk/voice-extra)"
  fi
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
  ensure_system_dir /etc/systemd/system.conf.d 0755 root:root
  put_file "$SRC/deploy/system/50-encore-watchdog.conf" /etc/systemd/system.conf.d/50-encore-watchdog.conf 0644 root:root
  if [ -n "$release_key" ]; then put_file "$release_key" /etc/kiosk/release-key.pub 0644 root:root; fi
  install_rtc
  # The console: never blank, no blinking cursor over the kiosk; the kiosk takes tty1 instead of a login prompt.
  add_kernel_arg consoleblank=0
  add_kernel_arg vt.global_cursor_default=0
}

install_rtc() {  # --rtc: the HAT's overlay, the unit that reads it at boot; fake-hwclock off
  [ -n "$rtc" ] || return 0
  if [ "$rtc" = pi5-battery ]; then
    [ "${is_pi5:-0}" -eq 1 ] || die "--rtc pi5-battery: this is not a Raspberry Pi 5"
    # The official Pi 5 RTC battery is rechargeable: the firmware charges it only when told to.
    add_config_txt_line "dtparam=rtc_bbat_vchg=3000000"
    return 0
  fi
  add_config_txt_line "dtparam=i2c_arm=on"
  add_config_txt_line "dtoverlay=i2c-rtc,$rtc"
  put_file "$SRC/systemd/kiosk-rtc.service" /etc/systemd/system/kiosk-rtc.service 0644 root:root
  put_file "$SRC/deploy/udev/99-encore-rtc.rules" /etc/udev/rules.d/99-encore-rtc.rules 0644 root:root
  if [ "$fake_root" -eq 1 ] || systemctl is-enabled --quiet fake-hwclock.service 2>/dev/null; then
    run systemctl disable fake-hwclock.service
  fi
}

enable_services() {
  was_changed '/etc/systemd/system/*' && run systemctl daemon-reload
  was_changed '/etc/udev/rules.d/*' && run udevadm control --reload-rules
  run systemctl enable kiosk.service kiosk-backup.timer kiosk-report.timer
  run systemctl enable --now systemd-timesyncd.service
  run systemctl disable getty@tty1.service
  # Only what changed is restarted: journald for its own settings (the kiosk keeps running meanwhile).
  was_changed '/etc/systemd/journald.conf.d/*' && run systemctl restart systemd-journald.service
  was_changed '/etc/systemd/system.conf.d/*' && run systemctl daemon-reexec
  local target
  target=$(systemctl get-default 2>/dev/null || echo unknown)
  if [ "$fake_root" -eq 1 ] || [ "$target" = graphical.target ]; then
    if [ "$target" != multi-user.target ]; then
      note "the kiosk draws straight on the screen: the Pi boots to the console, not the desktop"
      note "(to get the desktop back: sudo systemctl set-default graphical.target; sudo systemctl disable kiosk)"
      run systemctl set-default multi-user.target
    fi
  fi
  # The kiosk: restarted only when something it reads changed, and never while music plays (kiosk-release.sh
  # waits for the music to stop, up to half an hour, and checks it comes back READY).
  if [ "$kiosk_restarted" -eq 0 ] && { was_changed "$CONFIG" || was_changed "$ALSA_CONF" || was_changed /etc/systemd/system/kiosk.service; }; then
    if [ "$fake_root" -eq 1 ] || [ "$dry_run" -eq 1 ]; then
      say "$([ "$dry_run" -eq 1 ] && echo would || echo skipped under --root:) restart the kiosk when no music plays (settings changed)"
    elif systemctl is-active --quiet kiosk.service; then
      "$SRC/deploy/kiosk-release.sh" restart || note "the kiosk was not restarted (see above): it uses the new settings at its next start"
    fi
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
  remember_voice
  build_release
  link_prefix
  install_config
  install_backup_passphrase
  install_system_files
  activate_release
  enable_services
  next_steps
}

main "$@"
