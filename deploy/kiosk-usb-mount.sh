#!/usr/bin/env bash
# Mount or unmount one USB stick partition for the Encore kiosk. Started by kiosk-usb-mount@<dev>.service, which
# deploy/udev/99-encore-usb.rules starts when a stick is plugged in (Pi OS Lite has no automounter).
#
#   kiosk-usb-mount.sh add DEV      e.g. sda1: mounts /dev/DEV read-only at /media/kiosk-usb/<label>
#                                   (a stick labelled ENCOREBKUP, any case: read-write at /media/kiosk-backup;
#                                   FAT and exFAT labels hold 11 characters. ENCORE-BACKUP is still accepted)
#   kiosk-usb-mount.sh remove DEV   unmounts it again (the stick was pulled out)
# Options: --dry-run (print the commands), --label L / --fstype T (instead of asking blkid).
set -euo pipefail

# The environment can move these (tests do); the udev-started service uses the defaults.
IMPORT_ROOT=${KIOSK_USB_ROOT:-/media/kiosk-usb}
BACKUP_MOUNT=${KIOSK_BACKUP_MOUNT:-/media/kiosk-backup}
# The backup stick's label, matched ignoring case. ENCOREBKUP fits FAT and exFAT (11 characters); the first
# name, ENCORE-BACKUP (13), fits only ext4/NTFS sticks named before the change, and is still accepted.
BACKUP_LABELS=(ENCOREBKUP ENCORE-BACKUP)
KIOSK_USER=${KIOSK_USB_USER:-kiosk}
STATE_DIR=${KIOSK_USB_STATE:-/run/kiosk-usb}

dry_run=0
label=""
fstype=""
have_label=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --label) label=${2-}; have_label=1; shift ;;
    --fstype) fstype=${2-}; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ ${#args[@]} -ne 2 ]; then
  echo "usage: kiosk-usb-mount.sh add|remove DEV [--dry-run]" >&2
  exit 2
fi
action=${args[0]}
dev=${args[1]#/dev/}
case "$dev" in
  ''|*/*|.*) echo "kiosk-usb-mount: bad device name: $dev" >&2; exit 2 ;;
esac

run() {
  if [ "$dry_run" -eq 1 ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

# A folder name from a stick label: letters, digits, dot, dash, underscore only; never hidden, never empty.
safe_name() {
  local name
  name=$(printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_' | sed -e 's/^[._]*//' | cut -c1-32)
  printf '%s' "${name:-$2}"
}

is_backup_label() {  # LABEL: true for a backup stick's label, in any case
  local upper want
  upper=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')
  for want in "${BACKUP_LABELS[@]}"; do
    [ "$upper" = "$want" ] && return 0
  done
  return 1
}

mount_options() {  # $1 = fstype, $2 = ro|rw
  local opts="$2,nosuid,nodev,noexec,noatime"
  local uid gid
  case "$1" in
    vfat|exfat|ntfs|ntfs3)
      if [ "$2" = ro ]; then
        # Resident lists are health data: only the kiosk user may read them.
        uid=$(id -u "$KIOSK_USER" 2>/dev/null || echo 0)
        gid=$(id -g "$KIOSK_USER" 2>/dev/null || echo 0)
        opts="$opts,uid=$uid,gid=$gid,fmask=0137,dmask=0027"
      else
        opts="$opts,uid=0,gid=0,fmask=0177,dmask=0077"
      fi
      [ "$1" = vfat ] && opts="$opts,flush"
      ;;
  esac
  printf '%s' "$opts"
}

on_root_disk() {  # true when /dev/$1 sits on the disk the system booted from (a Pi booting from USB)
  local root_src root_disk dev_disk
  root_src=$(findmnt -no SOURCE / 2>/dev/null || true)
  [ -n "$root_src" ] || return 1
  root_disk=$(lsblk -no PKNAME "$root_src" 2>/dev/null | head -n1 || true)
  dev_disk=$(lsblk -no PKNAME "/dev/$1" 2>/dev/null | head -n1 || true)
  [ -z "$dev_disk" ] && dev_disk=$1
  [ -n "$root_disk" ] && [ "$root_disk" = "$dev_disk" ]
}

case "$action" in
  add)
    if [ -z "$fstype" ]; then
      fstype=$(blkid -p -o value -s TYPE "/dev/$dev" 2>/dev/null || true)
    fi
    if [ "$have_label" -eq 0 ]; then
      label=$(blkid -p -o value -s LABEL "/dev/$dev" 2>/dev/null || true)
    fi
    if [ -z "$fstype" ]; then
      echo "kiosk-usb-mount: /dev/$dev holds no filesystem; not mounting"
      exit 0
    fi
    if [ "$dry_run" -eq 0 ] && on_root_disk "$dev"; then
      echo "kiosk-usb-mount: /dev/$dev is on the system disk; not mounting"
      exit 0
    fi
    if is_backup_label "$label"; then
      target=$BACKUP_MOUNT
      mode=rw
    else
      target="$IMPORT_ROOT/$(safe_name "$label" "$dev")"
      mode=ro
      if mountpoint -q "$target" 2>/dev/null; then
        target="$target-$dev"  # two sticks with the same label
      fi
    fi
    run mkdir -p "$target"
    run mount -t "$fstype" -o "$(mount_options "$fstype" "$mode")" "/dev/$dev" "$target"
    run mkdir -p "$STATE_DIR"
    if [ "$dry_run" -eq 1 ]; then
      echo "would record $target in $STATE_DIR/$dev"
    else
      printf '%s\n' "$target" > "$STATE_DIR/$dev"
    fi
    echo "kiosk-usb-mount: /dev/$dev mounted $mode at $target"
    ;;
  remove)
    target=$(cat "$STATE_DIR/$dev" 2>/dev/null || true)
    if [ -z "$target" ]; then
      echo "kiosk-usb-mount: /dev/$dev was not mounted by the kiosk"
      exit 0
    fi
    if mountpoint -q "$target" 2>/dev/null; then
      run umount -l "$target"
    fi
    run rmdir "$target" 2>/dev/null || true
    run rm -f "$STATE_DIR/$dev"
    echo "kiosk-usb-mount: $target unmounted"
    ;;
  *)
    echo "usage: kiosk-usb-mount.sh add|remove DEV [--dry-run]" >&2
    exit 2
    ;;
esac
