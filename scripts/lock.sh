#!/usr/bin/env bash
# Regenerate the pinned, hashed dependency locks that deploy/install.sh installs from, one per Python of the
# supported Raspberry Pi OS releases (3.11 Bookworm, 3.13 Trixie). Run after changing dependencies in
# pyproject.toml, commit the result. Uses uv (installed into build/uv the first time). Each Python gets two:
# pyX.lock (what every kiosk installs) and pyX-voice.lock (the same plus the [voice] extra, install.sh --voice).
set -euo pipefail
cd "$(dirname "$0")/.."
uv=build/uv/bin/uv
if [ ! -x "$uv" ]; then
  python3 -m venv build/uv
  build/uv/bin/pip install --quiet --disable-pip-version-check uv
fi
for py in 3.11 3.13; do
  "$uv" pip compile pyproject.toml requirements/lock-extra.in --universal --python-version "$py" \
    --generate-hashes --no-header --quiet --output-file "requirements/py$py.lock"
  sed -i "1i # Encore's dependencies for Python $py, pinned with hashes: made by scripts/lock.sh, used by deploy/install.sh" \
    "requirements/py$py.lock"
  echo "requirements/py$py.lock: $(grep -c '^[a-z]' "requirements/py$py.lock") packages"
  # the same plus the gentle voice's optional extra (piper-tts, GPL-3.0): deploy/install.sh --voice
  "$uv" pip compile pyproject.toml requirements/lock-extra.in --extra voice --universal --python-version "$py" \
    --generate-hashes --no-header --quiet --output-file "requirements/py$py-voice.lock"
  sed -i "1i # Encore's dependencies with the voice extra for Python $py, pinned with hashes: made by scripts/lock.sh, used by deploy/install.sh --voice" \
    "requirements/py$py-voice.lock"
  echo "requirements/py$py-voice.lock: $(grep -c '^[a-z]' "requirements/py$py-voice.lock") packages"
done
