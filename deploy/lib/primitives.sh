# shellcheck shell=bash
# Sourced by deploy/install.sh: the settings (root, dry_run, ...) are set there, and results are read there.
# shellcheck disable=SC2154,SC2034
# Encore installer: the change primitives. Each prints what it does ("would ..." in a dry run) and does nothing
# when all is already in place, which is what makes install.sh idempotent and its --dry-run honest.

# The path of $1 inside the target root.
p() { if [ "$fake_root" -eq 1 ]; then printf '%s%s' "$root" "$1"; else printf '%s' "$1"; fi; }

run() {  # a system command
  commands=$((commands + 1))
  local shown; shown=$(printf '%q ' "$@"); shown=${shown% }
  if [ "$dry_run" -eq 1 ]; then
    say "would run: $shown"
  elif [ "$fake_root" -eq 1 ]; then
    say "skipped under --root: $shown"
  else
    say "+ $shown"
    "$@"
  fi
}

mark_changed() {  # PATH: remember what this run changed, so only what depends on it is restarted
  changed_paths="${changed_paths:-}
$1"
}
was_changed() {  # PATTERN (a shell glob): did this run change such a path?
  local line
  while IFS= read -r line; do
    # shellcheck disable=SC2053
    [ -n "$line" ] && [[ $line == $1 ]] && return 0
  done <<< "${changed_paths:-}"
  return 1
}

owner_of() { stat -c '%U:%G' "$1" 2>/dev/null || echo "?"; }
mode_of() { stat -c '%04a' "$1" 2>/dev/null || echo "?"; }

set_owner_mode() {  # PATH(target) MODE OWNER: fix mode and owner of an existing path
  local t; t=$(p "$1")
  if [ "$(mode_of "$t")" != "$2" ]; then
    changes=$((changes + 1))
    if [ "$dry_run" -eq 1 ]; then say "would chmod $2 $1"; else chmod "$2" "$t"; say "chmod $2 $1"; fi
  fi
  if [ "$fake_root" -eq 0 ] && [ "$(owner_of "$t")" != "$3" ]; then
    changes=$((changes + 1))
    if [ "$dry_run" -eq 1 ]; then say "would chown $3 $1"; else chown "$3" "$t"; say "chown $3 $1"; fi
  fi
}

ensure_dir() {  # PATH MODE OWNER
  local t; t=$(p "$1")
  if [ -d "$t" ]; then
    set_owner_mode "$1" "$2" "$3"
    return 0
  fi
  changes=$((changes + 1))
  if [ "$dry_run" -eq 1 ]; then
    say "would create dir $1 mode $2 owner $3"
    return 0
  fi
  mkdir -p "$t"
  chmod "$2" "$t"
  if [ "$fake_root" -eq 0 ]; then chown "$3" "$t"; fi
  say "created dir $1 mode $2 owner $3"
}

ensure_system_dir() {  # PATH MODE OWNER: create when missing; an existing one belongs to its package, left alone
  # (Debian's /etc/polkit-1/rules.d is polkitd:root 0700: "fixing" it to root 0755 would break polkit.)
  if [ -d "$(p "$1")" ]; then return 0; fi
  ensure_dir "$@"
}

put_file() {  # SOURCE PATH MODE OWNER: install a file when missing or different
  local src=$1 dest=$2 t; t=$(p "$2")
  if [ -f "$t" ] && cmp -s "$src" "$t"; then
    set_owner_mode "$dest" "$3" "$4"
    return 0
  fi
  changes=$((changes + 1))
  local verb=install; [ -e "$t" ] && verb=update
  if [ "$dry_run" -eq 1 ]; then
    say "would $verb file $dest mode $3 owner $4"
    return 0
  fi
  mkdir -p "$(dirname "$t")"
  install -m "$3" "$src" "$t"
  mark_changed "$dest"
  if [ "$fake_root" -eq 0 ]; then chown "$4" "$t"; fi
  say "${verb}ed file $dest mode $3 owner $4"
}

put_text() {  # PATH MODE OWNER, content on stdin
  local tmp; tmp=$(mktemp)
  cat > "$tmp"
  put_file "$tmp" "$@"
  rm -f "$tmp"
}

has_user() {
  if [ "$fake_root" -eq 1 ]; then grep -q "^$1:" "$(p /etc/passwd)" 2>/dev/null; else id -u "$1" >/dev/null 2>&1; fi
}
has_group() {
  if [ "$fake_root" -eq 1 ]; then grep -q "^$1:" "$(p /etc/group)" 2>/dev/null; else getent group "$1" >/dev/null; fi
}
in_group() {  # USER GROUP
  if [ "$fake_root" -eq 1 ]; then
    grep -Eq "^$2:[^:]*:[^:]*:(.*,)?$1(,|$)" "$(p /etc/group)" 2>/dev/null
  else
    id -nG "$1" 2>/dev/null | tr ' ' '\n' | grep -qx "$2"
  fi
}

toml_get() { "$PYTHON" "$SRC/deploy/tomlset.py" --get "$(p "$CONFIG")" "$1" "$2" 2>/dev/null; }
toml_set() {  # SECTION KEY JSON_VALUE [shown value]
  local t; t=$(p "$CONFIG")
  local current; current=$(toml_get "$1" "$2" || true)
  [ "$current" = "$3" ] && return 0
  changes=$((changes + 1))
  if [ "$dry_run" -eq 1 ] || [ ! -f "$t" ]; then
    say "would set [$1] $2 = ${4:-$3} in $CONFIG"
    return 0
  fi
  "$PYTHON" "$SRC/deploy/tomlset.py" "$t" "$1" "$2" "$3" || die "could not set [$1] $2 in $CONFIG"
  mark_changed "$CONFIG"
  say "set [$1] $2 = ${4:-$3} in $CONFIG"
}

add_kernel_arg() {  # ARG: append to cmdline.txt (one line) when missing
  local f
  f=$(boot_file cmdline.txt) || { note "no cmdline.txt found: add $1 to the kernel command line by hand"; return 0; }
  if tr ' ' '\n' < "$f" | grep -qx -- "$1"; then return 0; fi
  changes=$((changes + 1))
  reboot_needed "kernel command line changed"
  if [ "$dry_run" -eq 1 ]; then say "would add $1 to ${f#"${root%/}"}"; return 0; fi
  sed -i "1 s|\$| $1|" "$f"
  say "added $1 to ${f#"${root%/}"}"
}

add_config_txt_line() {  # LINE: append to config.txt ([all] section at the end) when missing
  local f
  f=$(boot_file config.txt) || { note "no config.txt found: add '$1' by hand"; return 0; }
  if grep -qxF -- "$1" "$f"; then return 0; fi
  changes=$((changes + 1))
  reboot_needed "config.txt changed"
  if [ "$dry_run" -eq 1 ]; then say "would add '$1' to ${f#"${root%/}"}"; return 0; fi
  printf '\n[all]\n# Encore\n%s\n' "$1" >> "$f"
  say "added '$1' to ${f#"${root%/}"}"
}

config_txt_has() {  # LINE: true when config.txt holds exactly that line
  local f; f=$(boot_file config.txt) || return 1
  grep -qxF -- "$1" "$f"
}

set_config_txt_param() {  # NAME VALUE: e.g. dtparam=audio off -> "dtparam=audio=off", replacing "dtparam=audio=on"
  local f key=$1 value=$2
  f=$(boot_file config.txt) || { note "no config.txt found: add '$key=$value' by hand"; return 0; }
  if grep -qxF -- "$key=$value" "$f"; then return 0; fi
  changes=$((changes + 1))
  reboot_needed "config.txt changed"
  if grep -qE "^$key=" "$f"; then
    if [ "$dry_run" -eq 1 ]; then say "would change $key= to $key=$value in ${f#"${root%/}"}"; return 0; fi
    sed -i -E "s|^$key=.*|$key=$value|" "$f"
    say "changed $key= to $key=$value in ${f#"${root%/}"}"
  else
    if [ "$dry_run" -eq 1 ]; then say "would add '$key=$value' to ${f#"${root%/}"}"; return 0; fi
    printf '\n[all]\n# Encore\n%s\n' "$key=$value" >> "$f"
    say "added '$key=$value' to ${f#"${root%/}"}"
  fi
}

reboot_needed() {  # REASON: remember that the change takes effect only after a reboot
  case "${reboot_reasons:-}" in *"$1"*) return 0 ;; esac
  reboot_reasons="${reboot_reasons:-}${reboot_reasons:+; }$1"
}

boot_file() {  # NAME: the file in /boot/firmware (Bookworm, Trixie) or /boot (older)
  local d
  for d in /boot/firmware /boot; do
    if [ -f "$(p "$d/$1")" ]; then p "$d/$1"; return 0; fi
  done
  return 1
}
