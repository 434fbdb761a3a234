#!/usr/bin/env bash
# Encore nightly backup and restore (run by kiosk-backup.service; also by hand).
#
#   kiosk-backup.sh backup  [--keep N]        copy the data folder with `kiosk backup`, then
#                                             - a USB stick labelled ENCOREBKUP is mounted: encrypt the copy
#                                               onto it (gpg, AES-256, passphrase file), keep the newest N there;
#                                             - else: keep it in the local rotating folder, newest N;
#                                             notes it in <data>/backup-log.jsonl (name, date, where, residents),
#                                             then rewrites local backups holding a resident erased since.
#   kiosk-backup.sh list                      the backups there are, newest last
#   kiosk-backup.sh restore BACKUP [--yes]    BACKUP = a .tar.gpg file or a local backup folder: decrypt,
#                                             stop the kiosk, `kiosk restore`, start the kiosk again
# Options (defaults are the installed Pi's):
#   --data-dir DIR          /var/lib/kiosk
#   --local DIR             /var/backups/kiosk        (root-only, 0700)
#   --stick DIR             /media/kiosk-backup       (used only when it is a mount point)
#   --passphrase-file FILE  /etc/kiosk/backup.pass    (root-only, 0600; chosen at install)
#   --kiosk BIN             /opt/encore/bin/kiosk
#   --user USER             kiosk  (`kiosk backup|restore` run as this user; "" = as the caller)
#   --no-service            do not stop/start kiosk.service around a restore
#   --force-stick           use --stick even if it is not a mount point (tests, a network share)
#   --dry-run               print what would happen, change nothing
set -euo pipefail
umask 077

data_dir=/var/lib/kiosk
local_dir=/var/backups/kiosk
stick_dir=/media/kiosk-backup
pass_file=/etc/kiosk/backup.pass
kiosk_bin=/opt/encore/bin/kiosk
as_user=kiosk
keep=14
dry_run=0
assume_yes=0
use_service=1
force_stick=0
positional=()

die() { echo "kiosk-backup: $*" >&2; exit 1; }
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir=${2:?--data-dir needs a folder}; shift ;;
    --local) local_dir=${2:?--local needs a folder}; shift ;;
    --stick) stick_dir=${2:?--stick needs a folder}; shift ;;
    --passphrase-file) pass_file=${2:?--passphrase-file needs a file}; shift ;;
    --kiosk) kiosk_bin=${2:?--kiosk needs a program}; shift ;;
    --user) as_user=${2-}; shift ;;
    --keep) keep=${2:?--keep needs a number}; shift ;;
    --yes|-y) assume_yes=1 ;;
    --no-service) use_service=0 ;;
    --force-stick) force_stick=1 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "kiosk-backup: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) positional+=("$1") ;;
  esac
  shift
done
[ ${#positional[@]} -ge 1 ] || { usage >&2; exit 2; }
command=${positional[0]}
case "$keep" in ''|*[!0-9]*|0) die "--keep must be a whole number of at least 1 (got '$keep')" ;; esac

host=$(hostname -s 2>/dev/null || echo kiosk)
host=$(printf '%s' "$host" | tr -c 'A-Za-z0-9-' '-')
prefix="encore-$host-"

as_kiosk() {  # run a command as the kiosk user (when we are root and a user is set)
  if [ -n "$as_user" ] && [ "$(id -u)" -eq 0 ] && [ "$(id -un)" != "$as_user" ]; then
    # setpriv, not runuser/su: no PAM session inside a service, and it works under NoNewPrivileges.
    setpriv --reuid="$as_user" --regid="$(id -g "$as_user")" --init-groups --reset-env -- "$@"
  else
    "$@"
  fi
}

make_work() {  # a private folder the kiosk user can write its copy into ($local_dir is root-only)
  work=$(mktemp -d "${TMPDIR:-/var/tmp}/encore-$1.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  if [ -n "$as_user" ] && [ "$(id -u)" -eq 0 ]; then chown "$as_user:" "$work"; fi
}

stick_ready() {
  if [ "$force_stick" -eq 1 ]; then
    [ -d "$stick_dir" ]
  else
    mountpoint -q "$stick_dir" 2>/dev/null
  fi
}

gpg_run() {  # gpg with a throw-away home, so nothing touches root's keyring; the agent is stopped after
  local home rc=0
  home=$(mktemp -d "${TMPDIR:-/tmp}/encore-gpg.XXXXXX")
  gpg --batch --yes --quiet --homedir "$home" --pinentry-mode loopback --passphrase-file "$pass_file" "$@" || rc=$?
  gpgconf --homedir "$home" --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$home"
  return "$rc"
}

rotate() {  # keep the newest $keep entries named $prefix* in folder $1
  local dir=$1 old
  mapfile -t old < <(find "$dir" -mindepth 1 -maxdepth 1 -name "$prefix*" ! -name '*.part' -printf '%f\n' | sort | head -n "-$keep")
  for name in "${old[@]}"; do
    [ -n "$name" ] || continue
    if [ "$dry_run" -eq 1 ]; then
      echo "would remove old backup $dir/$name"
    else
      rm -rf -- "${dir:?}/$name"
      echo "kiosk-backup: removed old backup $dir/$name"
    fi
  done
}

clean_parts() {  # leftovers of a backup interrupted by a power cut or a pulled stick
  [ -d "$1" ] || return 0
  find "$1" -mindepth 1 -maxdepth 1 \( -name '.encore-*.part' -o -name 'encore-*.part' \) -exec rm -rf {} +
}

record() {  # note a finished backup in <data>/backup-log.jsonl: record WHERE FINAL_PATH MANIFEST
  as_kiosk "$kiosk_bin" --data-dir "$data_dir" backup-record "$2" --where "$1" --keep "$keep" --manifest - < "$3" \
    || echo "kiosk-backup: warning: could not note $2 in $data_dir/backup-log.jsonl" >&2
}

scrub_local() {  # erasure reaches the copies on this Pi: rewrite (or delete) local backups holding erased residents
  [ -d "$local_dir" ] || return 0
  if [ "$dry_run" -eq 1 ]; then
    echo "would rewrite backups in $local_dir that hold residents erased since they were made"
    return 0
  fi
  "$kiosk_bin" --data-dir "$data_dir" scrub-backups "$local_dir" \
    || echo "kiosk-backup: warning: could not check $local_dir for erased residents" >&2
}

do_backup() {
  [ -x "$kiosk_bin" ] || die "$kiosk_bin not found: is Encore installed? (deploy/install.sh)"
  [ -d "$data_dir" ] || die "no data folder at $data_dir"
  local stamp name dest
  stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
  name="$prefix$stamp"
  local n=1 base=$name
  while [ -e "$local_dir/$name" ] || [ -e "$stick_dir/encore-backups/$name.tar.gpg" ]; do
    n=$((n + 1))
    name="$base-$n"  # two backups within one second
  done
  if stick_ready; then
    [ -r "$pass_file" ] || die "backup stick found but no passphrase file $pass_file (re-run deploy/install.sh)"
    [ -w "$stick_dir" ] || die "backup stick $stick_dir is not writable (is it locked, or full of errors?)"
    dest="$stick_dir/encore-backups"
    if [ "$dry_run" -eq 1 ]; then
      echo "would run: $kiosk_bin --data-dir $data_dir backup <temporary folder in $local_dir>"
      echo "would write $dest/$name.tar.gpg (encrypted with $pass_file) and keep the newest $keep"
      [ -d "$dest" ] && rotate "$dest"
      scrub_local
      return 0
    fi
    mkdir -p "$dest"
    clean_parts "$dest"
    make_work backup
    as_kiosk "$kiosk_bin" --data-dir "$data_dir" backup "$work/$name" --no-log || die "kiosk backup failed; nothing written to the stick"
    tar -C "$work" -cf - "$name" | gpg_run --symmetric --cipher-algo AES256 --output "$dest/$name.tar.gpg.part" \
      || { rm -f "$dest/$name.tar.gpg.part"; die "encrypting the backup onto the stick failed"; }
    mv "$dest/$name.tar.gpg.part" "$dest/$name.tar.gpg"
    sync -f "$dest/$name.tar.gpg" 2>/dev/null || sync
    echo "kiosk-backup: wrote $dest/$name.tar.gpg (encrypted)"
    record usb "$dest/$name.tar.gpg" "$work/$name/manifest.json"
    rotate "$dest"
    scrub_local
  else
    dest=$local_dir
    if [ "$dry_run" -eq 1 ]; then
      echo "would run: $kiosk_bin --data-dir $data_dir backup $dest/$name"
      echo "would keep the newest $keep in $dest (no backup stick at $stick_dir)"
      [ -d "$dest" ] && rotate "$dest"
      scrub_local
      return 0
    fi
    mkdir -p "$dest"
    chmod 0700 "$dest"
    clean_parts "$dest"
    make_work backup
    as_kiosk "$kiosk_bin" --data-dir "$data_dir" backup "$work/$name" --no-log || die "kiosk backup failed"
    # Via a hidden .part name: a power cut during the move never leaves a half copy that counts as a backup.
    mv "$work/$name" "$dest/.$name.part"
    mv "$dest/.$name.part" "$dest/$name"
    echo "kiosk-backup: wrote $dest/$name (no backup stick plugged in: kept on this Pi)"
    record local "$dest/$name" "$dest/$name/manifest.json"
    rotate "$dest"
    scrub_local
  fi
}

do_list() {
  local dir
  for dir in "$local_dir" "$stick_dir/encore-backups"; do
    [ -d "$dir" ] || continue
    find "$dir" -mindepth 1 -maxdepth 1 -name 'encore-*' ! -name '*.part' | sort
  done
}

do_restore() {
  [ ${#positional[@]} -eq 2 ] || die "restore needs one backup: a .tar.gpg file or a backup folder (see: kiosk-backup.sh list)"
  local src=${positional[1]} folder
  [ -e "$src" ] || die "$src: no such backup"
  [ -x "$kiosk_bin" ] || die "$kiosk_bin not found: is Encore installed? (deploy/install.sh)"
  if [ "$dry_run" -eq 1 ]; then
    case "$src" in *.gpg) echo "would decrypt $src with $pass_file" ;; esac
    [ "$use_service" -eq 1 ] && echo "would run: systemctl stop kiosk.service"
    echo "would run: $kiosk_bin --data-dir $data_dir restore <the backup folder>"
    [ "$use_service" -eq 1 ] && echo "would run: systemctl start kiosk.service"
    return 0
  fi
  if [ "$assume_yes" -ne 1 ]; then
    [ -t 0 ] || die "restore replaces the kiosk's data: add --yes to confirm"
    printf 'Restore %s over the data in %s? The kiosk stops meanwhile. [y/N] ' "$src" "$data_dir"
    local answer
    read -r answer
    case "$answer" in y|Y|yes|YES) ;; *) echo "Nothing changed."; exit 1 ;; esac
  fi
  make_work restore
  case "$src" in
    *.gpg)
      [ -r "$pass_file" ] || die "cannot read the passphrase file $pass_file"
      gpg_run --decrypt --output "$work/backup.tar" "$src" || die "$src: cannot decrypt (wrong passphrase file, or a damaged file)"
      tar -C "$work" --no-same-owner -xf "$work/backup.tar" || die "$src: damaged archive"
      rm -f "$work/backup.tar"
      ;;
    *)
      [ -d "$src" ] || die "$src: not a backup folder or a .tar.gpg file"
      cp -a "$src" "$work/"
      ;;
  esac
  folder=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
  [ -n "$folder" ] || die "$src: holds no backup folder"
  if [ -n "$as_user" ] && [ "$(id -u)" -eq 0 ]; then chown -R "$as_user:" "$work"; fi
  local was_active=0
  if [ "$use_service" -eq 1 ] && systemctl is-active --quiet kiosk.service 2>/dev/null; then
    was_active=1
    systemctl stop kiosk.service
  fi
  local rc=0
  as_kiosk "$kiosk_bin" --data-dir "$data_dir" restore "$folder" || rc=$?
  if [ "$was_active" -eq 1 ]; then
    systemctl start kiosk.service || true
  fi
  [ "$rc" -eq 0 ] || die "kiosk restore failed (exit $rc); see its message above"
  echo "kiosk-backup: restored $src"
}

case "$command" in
  backup) do_backup ;;
  list) do_list ;;
  restore) do_restore ;;
  *) echo "kiosk-backup: unknown command $command" >&2; usage >&2; exit 2 ;;
esac
