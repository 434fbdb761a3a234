#!/usr/bin/env bash
# Encore releases side by side: /opt/encore/releases/<version>-<commit>, with /opt/encore/current pointing at
# the one in use (flipped atomically: a new link renamed over the old one). Used by install.sh; also by hand.
#
#   kiosk-release.sh list                     the releases, the current and the previous one
#   kiosk-release.sh activate NAME            make NAME current: wait until no music plays, take a backup when
#                                             the data format changes, flip, restart, health check (READY within
#                                             a minute, no doctor FAIL the old release did not have), else flip
#                                             back by itself and restore the pre-update backup
#   kiosk-release.sh rollback                 flip back to the previous release by hand (restores the
#                                             pre-update backup when the data format changed, keeps the journal
#                                             days written since, rebuilds the session rollups)
#   kiosk-release.sh restart                  restart the kiosk once no music plays, then wait for READY
#   kiosk-release.sh verify-bundle FILE       check FILE.sig (Ed25519, the project's key) over a USB bundle
#   kiosk-release.sh install-bundle FILE      verify, then unpack and run the bundle's installer (as root)
# Options (defaults are the installed Pi's):
#   --root DIR            act on a look-alike root (tests, an image); systemctl is still called (see below)
#   --user USER           kiosk   (kiosk commands run as this user; "" = as the caller)
#   --ready-timeout-s N   60      how long the restarted kiosk has to report READY
#   --idle-wait-s N       1800    how long to wait for the music to stop before giving up (exit 75)
#   --poll-s N            5
#   --keep N              3       releases kept (the current and the previous one always)
#   --key FILE            /etc/kiosk/release-key.pub   the project's Ed25519 public key (PEM)
# For tests: ENCORE_SYSTEMCTL (the systemctl to call).
set -euo pipefail
umask 022

root=/
as_user=kiosk
ready_timeout_s=60
idle_wait_s=1800
poll_s=5
keep=3
key=""
positional=()
SYSTEMCTL=${ENCORE_SYSTEMCTL:-systemctl}

die() { echo "kiosk-release: $*" >&2; exit 1; }
say() { printf 'kiosk-release: %s\n' "$*"; }
number() { case "$2" in ''|*[!0-9]*) die "$1 needs a whole number (got '$2')" ;; esac; printf '%s' "$2"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift ;;
    --user) as_user=${2-}; shift ;;
    --ready-timeout-s) ready_timeout_s=$(number "$1" "${2-}"); shift ;;
    --idle-wait-s) idle_wait_s=$(number "$1" "${2-}"); shift ;;
    --poll-s) poll_s=$(number "$1" "${2-}"); shift ;;
    --keep) keep=$(number "$1" "${2-}"); shift ;;
    --key) key=${2:?--key needs a file}; shift ;;
    -h|--help) sed -n "2,24p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "kiosk-release: unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
[ ${#positional[@]} -ge 1 ] || { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
root=${root%/}
PREFIX=$root/opt/encore
RELEASES=$PREFIX/releases
CURRENT=$PREFIX/current
STATE=$PREFIX/state
DATA=$root/var/lib/kiosk
BACKUPS=$root/var/backups/kiosk
key=${key:-$root/etc/kiosk/release-key.pub}

as_kiosk() {
  if [ -n "$as_user" ] && [ "$(id -u)" -eq 0 ] && [ "$(id -un)" != "$as_user" ]; then
    setpriv --reuid="$as_user" --regid="$(id -g "$as_user")" --init-groups --reset-env -- "$@"
  else
    "$@"
  fi
}

current_name() { if [ -L "$CURRENT" ]; then basename "$(readlink "$CURRENT")"; fi; }
state_get() { cat "$STATE/$1" 2>/dev/null || true; }
state_set() { mkdir -p "$STATE"; chmod 0700 "$STATE"; printf '%s\n' "$2" > "$STATE/$1.tmp"; mv -f "$STATE/$1.tmp" "$STATE/$1"; }
data_format() { cat "$RELEASES/$1/share/encore/data-format" 2>/dev/null || echo 1; }
kiosk_of() { printf '%s/%s/bin/kiosk' "$RELEASES" "$1"; }

flip() {  # NAME: point current at releases/NAME in one rename, so there is never a moment without it
  ln -sfn "releases/$1" "$PREFIX/.current.new"
  mv -T "$PREFIX/.current.new" "$CURRENT"
  sync -f "$PREFIX" 2>/dev/null || true
}

music_playing() {  # true while any ALSA playback stream runs (libvlc keeps it open only while it plays)
  local status
  for status in "$root"/proc/asound/card*/pcm*p/sub*/status; do
    [ -r "$status" ] && grep -q '^state: RUNNING' "$status" && return 0
  done
  return 1
}

wait_for_idle() {
  local waited=0
  while music_playing; do
    if [ "$waited" -ge "$idle_wait_s" ]; then
      echo "kiosk-release: music is still playing after ${idle_wait_s} s: nothing changed; try again later" >&2
      exit 75
    fi
    [ "$waited" -eq 0 ] && say "music is playing: waiting for it to stop (up to ${idle_wait_s} s)"
    sleep "$poll_s"
    waited=$((waited + poll_s))
  done
}

doctor_fails() {  # NAME: the names of the FAIL rows of that release's `kiosk doctor`, one a line, sorted
  local out
  out=$(as_kiosk "$(kiosk_of "$1")" --data-dir "$DATA" doctor --json 2>/dev/null || true)
  printf '%s' "$out" | python3 -c '
import json, sys
try:
    rows = json.load(sys.stdin).get("checks", [])
except ValueError:
    print("doctor did not answer"); sys.exit(0)
print("\n".join(sorted({r.get("name", "?") for r in rows if r.get("status") == "FAIL"})))'
}

wait_ready() {  # the unit is "active" only after the kiosk sent READY=1 (Type=notify)
  local waited=0 state
  while :; do
    state=$("$SYSTEMCTL" is-active kiosk.service 2>/dev/null || true)
    [ "$state" = active ] && return 0
    [ "$waited" -ge "$ready_timeout_s" ] && { echo "kiosk-release: kiosk not READY after ${ready_timeout_s} s (state: ${state:-unknown})" >&2; return 1; }
    sleep "$poll_s"
    waited=$((waited + poll_s))
  done
}

take_backup() {  # FROM TO: a `kiosk backup` by the old release before the new one migrates the data
  local name work dest
  name="pre-update-$1-to-$2-$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$BACKUPS"
  chmod 0700 "$BACKUPS"
  work=$(mktemp -d "$BACKUPS/.$name.XXXXXX")
  if [ -n "$as_user" ] && [ "$(id -u)" -eq 0 ]; then chown "$as_user:" "$work"; chmod 0700 "$work"; fi
  as_kiosk "$(kiosk_of "$1")" --data-dir "$DATA" backup "$work/$name" >&2 || { rm -rf "$work"; die "the pre-update backup failed: nothing changed"; }
  dest=$BACKUPS/$name
  mv "$work/$name" "$dest"
  rmdir "$work"
  printf '%s' "$dest"
}

restore_backup() {  # RELEASE BACKUP: `kiosk restore` by the release that understands that data
  as_kiosk "$(kiosk_of "$1")" --data-dir "$DATA" restore "$2" >&2 || die "restoring $2 failed: see the message above"
}

prune() {
  local cur prev name
  cur=$(current_name); prev=$(state_get previous)
  mapfile -t old < <(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %f\n' | sort -n | cut -d' ' -f2 | head -n "-$keep")
  for name in "${old[@]}"; do
    if [ -z "$name" ] || [ "$name" = "$cur" ] || [ "$name" = "$prev" ]; then continue; fi
    rm -rf -- "${RELEASES:?}/$name"
    say "removed old release $name"
  done
}

do_activate() {
  local new=${positional[1]:-} cur backup="" fails_before fails_after added
  [ -n "$new" ] || die "activate needs a release name (see: kiosk-release.sh list)"
  [ -x "$(kiosk_of "$new")" ] || die "no release $new in $RELEASES"
  cur=$(current_name)
  if [ "$cur" = "$new" ]; then say "$new is already current"; return 0; fi
  wait_for_idle
  fails_before=""
  [ -n "$cur" ] && fails_before=$(doctor_fails "$cur")
  if [ -n "$cur" ] && [ "$(data_format "$cur")" != "$(data_format "$new")" ]; then
    backup=$(take_backup "$cur" "$new")
    say "data format $(data_format "$cur") -> $(data_format "$new"): backup first: $backup"
  fi
  "$SYSTEMCTL" stop kiosk.service || true
  flip "$new"
  state_set previous "$cur"
  state_set backup "$backup"
  say "current -> $new${cur:+ (was $cur)}"
  "$SYSTEMCTL" start kiosk.service || true
  local healthy=1
  wait_ready || healthy=0
  if [ "$healthy" -eq 1 ] && [ -n "$cur" ]; then  # a first install has no baseline: READY is the check
    fails_after=$(doctor_fails "$new")
    added=$(comm -13 <(printf '%s\n' "$fails_before" | sed '/^$/d') <(printf '%s\n' "$fails_after" | sed '/^$/d') | paste -sd, -)
    if [ -n "$added" ]; then
      echo "kiosk-release: kiosk doctor FAILs that $cur did not have: $added" >&2
      healthy=0
    fi
  fi
  if [ "$healthy" -eq 1 ]; then
    say "health check passed: $new is READY and doctor reports nothing new"
    prune
    return 0
  fi
  [ -n "$cur" ] || die "$new is not READY and there is no earlier release to go back to: see journalctl -u kiosk"
  echo "kiosk-release: flipping back to $cur" >&2
  "$SYSTEMCTL" stop kiosk.service || true
  flip "$cur"
  [ -z "$backup" ] || restore_backup "$cur" "$backup"
  state_set previous ""
  state_set backup ""
  "$SYSTEMCTL" start kiosk.service || true
  die "update to $new failed its health check: back on $cur${backup:+, data restored from $backup}"
}

do_rollback() {
  local cur prev backup keepdir
  cur=$(current_name); prev=$(state_get previous); backup=$(state_get backup)
  if [ -z "$prev" ] || [ ! -x "$(kiosk_of "$prev")" ]; then die "no previous release to go back to"; fi
  wait_for_idle
  "$SYSTEMCTL" stop kiosk.service || true
  if [ -n "$backup" ] && [ -d "$backup" ]; then
    # The journal days written since the backup hold what residents did meanwhile: keep them. Their lines are
    # plain JSON events, readable by the older release.
    keepdir=$(mktemp -d)
    if [ -d "$DATA/events" ]; then
      find "$DATA/events" -name '*.jsonl' -newer "$backup" -exec cp -p {} "$keepdir/" \;
    fi
    restore_backup "$prev" "$backup"
    mkdir -p "$DATA/events"
    find "$keepdir" -name '*.jsonl' -exec cp -p {} "$DATA/events/" \;
    rm -rf "$keepdir"
    flip "$prev"
    as_kiosk "$(kiosk_of "$prev")" --data-dir "$DATA" report --rebuild >/dev/null || echo "kiosk-release: rebuilding the rollups failed; run: kiosk report --rebuild" >&2
    say "data restored from $backup; journal days since kept; rollups rebuilt"
  else
    flip "$prev"
  fi
  state_set previous "$cur"
  state_set backup ""
  "$SYSTEMCTL" start kiosk.service || true
  say "current -> $prev (was $cur)"
  wait_ready || die "$prev did not report READY: see journalctl -u kiosk"
}

do_list() {
  local cur prev name mark
  cur=$(current_name); prev=$(state_get previous)
  [ -d "$RELEASES" ] || { say "no releases in $RELEASES"; return 0; }
  for name in $(find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort); do
    mark=""
    [ "$name" = "$cur" ] && mark=" (current)"
    [ "$name" = "$prev" ] && mark=" (previous)"
    printf '%s%s\n' "$name" "$mark"
  done
}

verify() {  # FILE: the signature FILE.sig must verify with the project's key, else stop here
  local file=$1
  [ -f "$file" ] || die "$file: no such bundle"
  [ -f "$file.sig" ] || die "$file.sig missing: a bundle without the project's signature is not installed"
  [ -r "$key" ] || die "no release key at $key: install.sh --release-key FILE puts the project's public key there"
  if ! openssl pkeyutl -verify -pubin -inkey "$key" -rawin -in "$file" -sigfile "$file.sig" >/dev/null 2>&1; then
    die "$file: signature does NOT match the project's key: not installing (a damaged or altered bundle)"
  fi
  say "$file: signature OK (Ed25519, $key)"
}

do_install_bundle() {
  local file=${positional[1]:-}
  verify "$file"
  work=$(mktemp -d "${TMPDIR:-/tmp}/encore-bundle.XXXXXX")
  chmod 0700 "$work"
  trap 'rm -rf "$work"' EXIT
  tar -C "$work" --no-same-owner -xzf "$file" || die "$file: damaged archive"
  [ -x "$work/encore/deploy/install.sh" ] || die "$file: no encore/deploy/install.sh inside"
  say "running the bundle's installer"
  if [ -n "$root" ]; then
    "$work/encore/deploy/install.sh" --yes --skip-apt --root "$root"
  else
    "$work/encore/deploy/install.sh" --yes --skip-apt
  fi
}

do_restart() {
  wait_for_idle
  "$SYSTEMCTL" restart kiosk.service
  wait_ready || die "the kiosk did not report READY after the restart: see journalctl -u kiosk"
  say "kiosk restarted and READY"
}

case "${positional[0]}" in
  list) do_list ;;
  restart) do_restart ;;
  activate) do_activate ;;
  rollback) do_rollback ;;
  verify-bundle) verify "${positional[1]:-}" ;;
  install-bundle) do_install_bundle ;;
  *) echo "kiosk-release: unknown command ${positional[0]}" >&2; exit 2 ;;
esac
