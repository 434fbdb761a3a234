#!/usr/bin/env bash
# Regenerate the pinned, hashed dependency locks that deploy/install.sh installs from, one per Python of the
# supported Raspberry Pi OS releases (3.11 Bookworm, 3.13 Trixie). Run after changing dependencies in
# pyproject.toml, commit the result. Uses uv (installed into build/uv the first time).
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
done
