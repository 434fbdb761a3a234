# shellcheck shell=bash
# Sourced by deploy/install.sh: the settings (root, dry_run, ...) are set there, and results are read there.
# shellcheck disable=SC2154,SC2034
# Encore installer: the questions (audio, display, staff PIN, backup passphrase) and writing the answers into
# /etc/kiosk/kiosk.toml and /etc/kiosk/backup.pass.

# ---------------------------------------------------------------------------------------------------------------
# 2. Questions (only when interactive and not answered by options).

ask() {  # PROMPT DEFAULT -> answer on stdout
  local answer
  read -r -p "$1 [$2] " answer </dev/tty
  printf '%s' "${answer:-$2}"
}

questions() {
  if [ "$interactive" -eq 1 ] && [ -z "$audio" ] && [ "$config_is_new" -eq 1 ]; then
    say "Where should the sound go?  jack (Pi 4 headphone socket) / hdmi / usb (USB speaker or DAC) / i2s (amplifier HAT)"
    if [ -r /proc/asound/cards ]; then say "Sound cards found:"; sed 's/^/    /' /proc/asound/cards; fi
    audio=$(ask "Audio output" "$([ "${is_pi5:-0}" -eq 1 ] && echo hdmi || echo jack)")
  fi
  if [ "$interactive" -eq 1 ] && [ -z "$display" ] && [ "$config_is_new" -eq 1 ]; then
    say "Which screen?  official7 (the original 7\" touch display) / touch2 (Touch Display 2) / touch2-landscape / hdmi"
    display=$(ask "Display" official7)
  fi
  if [ "$interactive" -eq 1 ] && [ "$display" = hdmi ] && [ -z "$dpi" ]; then
    local inches width
    inches=$(ask "Screen diagonal in inches (e.g. 15.6)" 15.6)
    width=$(ask "Screen resolution WIDTHxHEIGHT" 1920x1080)
    dpi=$("$PYTHON" -c 'import sys; w, h = map(int, sys.argv[2].split("x")); print(round((w*w+h*h) ** 0.5 / float(sys.argv[1])))' "$inches" "$width" 2>/dev/null) || die "could not work out the DPI from '$inches' and '$width'"
  fi
  case "$audio" in ''|jack|hdmi|usb|i2s|card:?*) ;; *) die "audio output '$audio' is not one of jack, hdmi, usb, i2s, card:NAME" ;; esac
  case "$display" in ''|official7|touch2|touch2-landscape|hdmi) ;; *) die "display '$display' is not one of official7, touch2, touch2-landscape, hdmi" ;; esac
  if [ "$audio" = jack ] && [ "${is_pi5:-0}" -eq 1 ]; then
    die "the Raspberry Pi 5 has no headphone jack: choose --audio hdmi, usb or i2s"
  fi
}

read_pin() {
  pin=""
  if [ "$pin_stdin" -eq 1 ]; then
    IFS= read -r pin || true
  elif [ "$interactive" -eq 1 ]; then
    local current again
    current=$(toml_get kiosk staff_pin_hash || true)
    if [ -n "$current" ] && [ "$current" != '""' ]; then
      return 0  # a PIN is set already; --pin-stdin changes it
    fi
    read -r -s -p "Staff PIN for the staff screen (4-8 digits): " pin </dev/tty; echo
    read -r -s -p "The same PIN again: " again </dev/tty; echo
    [ "$pin" = "$again" ] || die "the two PINs differ; nothing was set (run the installer again)"
  fi
  if [ -n "$pin" ]; then
    case "$pin" in *[!0-9]*) die "the staff PIN must be digits only (4 to 8)" ;; esac
    if [ ${#pin} -lt 4 ] || [ ${#pin} -gt 8 ]; then die "the staff PIN must be 4 to 8 digits"; fi
  fi
}

install_config() {
  local example="$SRC/content/kiosk.example.toml"
  if [ "$config_is_new" -eq 1 ]; then
    if [ -f "$example" ]; then
      put_file "$example" "$CONFIG" 0640 "root:$KIOSK_USER"
    else
      note "content/kiosk.example.toml not in this checkout: starting from a short file (defaults apply)"
      put_text "$CONFIG" 0640 "root:$KIOSK_USER" <<'TOML'
# Encore kiosk settings. Every setting has a default; see the documentation for the full list.
TOML
    fi
  else
    say "config $CONFIG: kept (exists)"
    set_owner_mode "$CONFIG" 0640 "root:$KIOSK_USER"
  fi
  configure_audio
  configure_display
  configure_pin
}

sound_card() {  # KIND: the short name of the first such card in /proc/asound/cards (of the target root)
  local cards; cards=$(p /proc/asound/cards)
  [ -r "$cards" ] || return 0
  case "$1" in
    usb) grep 'USB-Audio' "$cards" ;;
    hdmi) grep 'vc4-hdmi' "$cards" ;;
    i2s) grep -v -e Headphones -e vc4-hdmi -e vc4hdmi -e USB-Audio "$cards" ;;
  esac | sed -n 's/^ *[0-9]* \[\([^] ]*\) *\].*/\1/p' | head -n1
}

configure_audio() {
  local card="" overlay_was_there=0
  if [ -n "$i2s_overlay" ]; then
    # The HAT's card exists only after a reboot with its overlay: write the overlay now (the onboard audio
    # off, so the HAT is the only analogue card), ask for the reboot, and pick the card on the next run.
    config_txt_has "dtoverlay=$i2s_overlay" && overlay_was_there=1
    add_config_txt_line "dtoverlay=$i2s_overlay"
    set_config_txt_param dtparam=audio off
  fi
  case "$audio" in
    "") [ "$config_is_new" -eq 1 ] && [ -z "$i2s_overlay" ] && note "no --audio given: the kiosk picks a sound output itself (kiosk doctor shows which)"; return 0 ;;
    jack) card=Headphones ;;
    hdmi) card=$(sound_card hdmi); card=${card:-vc4hdmi0} ;;
    card:*) card=${audio#card:} ;;
    usb) card=$(sound_card usb) ;;
    i2s) card=$(sound_card i2s) ;;
  esac
  if [ -z "$card" ]; then
    if [ "$audio" = i2s ] && { [ "$overlay_was_there" -eq 0 ] || [ "$fake_root" -eq 1 ]; }; then
      [ -n "$i2s_overlay" ] || die "--audio i2s needs --i2s-overlay NAME (the HAT's overlay, from its maker; e.g. hifiberry-dac)"
      reboot_needed "the I2S sound card appears after a reboot; run this installer again after it to choose the card"
      note "[audio] left as it is until the HAT's sound card shows up (after the reboot)"
      return 0
    fi
    if [ "$dry_run" -eq 1 ]; then
      card="<first $audio sound card>"
    elif [ "$fake_root" -eq 1 ]; then
      note "no $audio sound card to look at under --root: [audio] left as it is (name it: --audio card:NAME)"
      return 0
    elif [ "$audio" = i2s ]; then
      die "dtoverlay=$i2s_overlay is in config.txt but no I2S sound card appeared: has the Pi been rebooted since? Is the HAT seated and the overlay name right? ('aplay -l' lists the cards)"
    else
      die "no $audio sound card found (plug it in and run again, or name it: --audio card:NAME from 'aplay -l')"
    fi
  fi
  alsa_conf "$card" | put_text "$ALSA_CONF" 0644 root:root
  toml_set audio output '"alsa"'
  toml_set audio device '"encore"' "\"encore\" (card $card, see $ALSA_CONF)"
}

alsa_conf() {  # CARD: the kiosk's ALSA device "encore" on that card
  local card=$1
  printf '# Encore: the kiosk'"'"'s sound device "encore", written by deploy/install.sh. Re-run the installer to change it.\n'
  case "$card" in
    vc4hdmi*)
      cat <<ALSA
# The Pi's HDMI card takes only IEC958 subframes: "hdmi:" packs them, "plug" converts rate and format.
# ALSA cannot mix two streams on it (dmix mixes linear PCM only): see "HDMI sound" in docs/guide/deploy.md.
pcm.encore {
    type plug
    slave.pcm "hdmi:CARD=$card"
    hint { show on description "Encore: HDMI $card" }
}
ALSA
      ;;
    *)
      cat <<ALSA
# dmix lets two streams play at once (a crossfade, speech over music): a hardware device takes only one.
pcm.encore {
    type plug
    slave.pcm "encore_dmix"
    hint { show on description "Encore: $card, mixed (dmix)" }
}
pcm.encore_dmix {
    type dmix
    ipc_key 51770
    ipc_key_add_uid false
    ipc_perm 0660
    ipc_gid audio
    slave {
        pcm "hw:CARD=$card,DEV=0"
        rate 48000
        period_size 1024
        buffer_size 8192
    }
}
ALSA
      ;;
  esac
}

configure_display() {
  local w="" h="" d="" orient=landscape rot=0
  case "$display" in
    "") [ -z "$dpi" ] && return 0 ;;
    official7) w=800; h=480; d=133 ;;
    touch2) w=720; h=1280; d=210; orient=portrait ;;
    touch2-landscape)
      # The panel is portrait (720 x 1280): the kiosk turns picture and touch itself ([display] rotation_deg);
      # the overlay's rotation=90 turns the boot console to match.
      w=720; h=1280; d=210; rot=90
      add_config_txt_line "dtoverlay=vc4-kms-dsi-ili9881-7inch,rotation=90" ;;
    hdmi) d=96; [ -z "$dpi" ] && note "HDMI screen with no --dpi: using 96; set [display] dpi for honest button sizes" ;;
  esac
  [ -n "$dpi" ] && d=$dpi
  [ -n "$d" ] && toml_set display dpi "$d"
  [ -n "$w" ] && toml_set display width "$w"
  [ -n "$h" ] && toml_set display height "$h"
  [ -n "$display" ] && toml_set display orientation "\"$orient\""
  [ -n "$display" ] && toml_set display rotation_deg "$rot"
  return 0
}

configure_pin() {
  [ -n "$pin" ] || {
    local current; current=$(toml_get kiosk staff_pin_hash || true)
    if [ -z "$current" ] || [ "$current" = '""' ]; then
      note "no staff PIN set yet: the staff screen stays locked. Set one: sudo $SRC/deploy/install.sh --skip-apt --pin-stdin <<< 1234"
    fi
    return 0
  }
  local hasher="$release_dir/bin/kiosk" line current
  if [ "$fake_root" -eq 1 ] && [ ! -x "$(p "$hasher")" ]; then
    if [ "$dry_run" -eq 1 ]; then
      changes=$((changes + 1))
      say "would set [kiosk] staff_pin_hash = <output of $hasher hash-pin> in $CONFIG (the PIN itself is never stored)"
    else
      say "skipped under --root: $hasher hash-pin (the package is not installed in a folder root)"
    fi
    return 0
  fi
  if [ "$dry_run" -eq 1 ] && [ ! -x "$(p "$hasher")" ]; then
    changes=$((changes + 1))
    say "would set [kiosk] staff_pin_hash = <output of $hasher hash-pin> in $CONFIG (the PIN itself is never stored)"
    return 0
  fi
  [ -x "$(p "$hasher")" ] || die "$hasher is missing: the package did not install"
  # The same PIN again is no change: a new salt would rewrite the file and restart the kiosk for nothing.
  current=$(toml_get kiosk staff_pin_hash || true)
  current=${current#\"}; current=${current%\"}
  if [ -n "$current" ] && printf '%s\n' "$pin" | "$(p "$hasher")" hash-pin --check "$current" >/dev/null 2>&1; then
    say "staff PIN: unchanged"
    return 0
  fi
  changes=$((changes + 1))
  if [ "$dry_run" -eq 1 ]; then
    say "would set [kiosk] staff_pin_hash = <output of $hasher hash-pin> in $CONFIG (the PIN itself is never stored)"
    return 0
  fi
  line=$(printf '%s\n' "$pin" | "$(p "$hasher")" hash-pin) || die "kiosk hash-pin failed; the PIN was not set"
  line=$(printf '%s' "$line" | tail -n1 | tr -d '[:space:]')
  case "$line" in scrypt\$*) ;; *) die "kiosk hash-pin printed something unexpected; the PIN was not set" ;; esac
  "$PYTHON" "$SRC/deploy/tomlset.py" "$(p "$CONFIG")" kiosk staff_pin_hash "\"$line\"" || die "could not write the PIN hash"
  mark_changed "$CONFIG"
  say "set [kiosk] staff_pin_hash in $CONFIG (hashed; the PIN itself is not stored)"
}

install_backup_passphrase() {
  local t; t=$(p "$PASS_FILE")
  if [ -n "$passphrase_src" ]; then
    [ -r "$passphrase_src" ] || die "--backup-passphrase-file: cannot read $passphrase_src"
    [ "$(wc -c < "$passphrase_src")" -ge 12 ] || die "--backup-passphrase-file: the passphrase must be at least 12 characters"
    put_file "$passphrase_src" "$PASS_FILE" 0600 root:root
    return 0
  fi
  if [ -f "$t" ]; then
    say "backup passphrase $PASS_FILE: kept (exists)"
    set_owner_mode "$PASS_FILE" 0600 root:root
    return 0
  fi
  local phrase="" again
  if [ "$interactive" -eq 1 ] && [ "$dry_run" -eq 0 ]; then
    say "Backups on a USB stick are encrypted. Choose a passphrase (12+ characters) and keep it safe, away from"
    say "the Pi: without it a backup cannot be restored. Leave empty to have one generated."
    read -r -s -p "Backup passphrase: " phrase </dev/tty; echo
    if [ -n "$phrase" ]; then
      read -r -s -p "The same again: " again </dev/tty; echo
      [ "$phrase" = "$again" ] || die "the two passphrases differ; run the installer again"
      [ ${#phrase} -ge 12 ] || die "the passphrase must be at least 12 characters"
    fi
  fi
  if [ -z "$phrase" ]; then
    phrase=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
    generated_pass=1
  fi
  printf '%s\n' "$phrase" | put_text "$PASS_FILE" 0600 root:root
}
