#!/usr/bin/env bash
# Make a signed Encore update bundle for a USB stick (homes without network), on the maintainer's computer:
#
#   deploy/make-bundle.sh --key PROJECT-ED25519.pem [--out DIR] [--no-wheels]
#
# Writes DIR/encore-<version>-<commit>.tar.gz (the committed source, its COMMIT, and the locked wheels for
# both Pi OS Pythons, aarch64) and beside it .tar.gz.sig, the Ed25519 signature made with the project's
# private key. On the Pi: sudo /opt/encore/libexec/kiosk-release.sh install-bundle /media/kiosk-usb/.../FILE
# checks the signature with /etc/kiosk/release-key.pub before anything from the bundle runs.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
key=""
out=$src/build
wheels=1
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key=${2:?--key needs the private key file}; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    --no-wheels) wheels=0 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-bundle: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -r "$key" ] || { echo "make-bundle: --key: the project's Ed25519 private key is needed" >&2; exit 1; }
commit=$(git -C "$src" rev-parse --short=12 HEAD)
version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$src/pyproject.toml")
name=encore-$version-$commit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$src" archive --format=tar --prefix=encore/ HEAD | tar -C "$work" -xf -
printf '%s\n' "$commit" > "$work/encore/COMMIT"
if [ "$wheels" -eq 1 ]; then
  for py in 3.11 3.13; do
    python3 -m pip download --quiet --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: \
      --platform manylinux2014_aarch64 --platform manylinux_2_28_aarch64 --python-version "$py" \
      -r "$src/requirements/py$py.lock" -d "$work/encore/wheels"
  done
fi
mkdir -p "$out"
tar -C "$work" -czf "$out/$name.tar.gz" encore
openssl pkeyutl -sign -inkey "$key" -rawin -in "$out/$name.tar.gz" -out "$out/$name.tar.gz.sig"
echo "$out/$name.tar.gz (+ .sig)"
