"""Helpers for the deployment tests: the repository's paths and a fake target root for install.sh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SYSTEMD = REPO / "systemd"


def run(cmd: list[str], *, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None):
    """Run a script; never inherit a terminal (the installer must not ask questions in tests)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, env=full_env, cwd=cwd, timeout=60, check=False
    )


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A folder that looks enough like a fresh 64-bit Raspberry Pi OS Bookworm for install.sh --root."""
    root = tmp_path / "root"
    (root / "run/systemd/system").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000::/home/pi:/bin/bash\n")
    (root / "etc/group").write_text(
        "root:x:0:\naudio:x:29:pi\nvideo:x:44:pi\nrender:x:105:\ninput:x:101:\ngpio:x:997:pi\n"
    )
    (root / "etc/os-release").write_text(
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n'
    )
    (root / "boot/firmware").mkdir(parents=True)
    (root / "boot/firmware/cmdline.txt").write_text(
        "console=serial0,115200 console=tty1 root=PARTUUID=1 rootwait\n"
    )
    (root / "boot/firmware/config.txt").write_text("dtparam=audio=on\n[all]\n")
    (root / "proc/device-tree").mkdir(parents=True)
    (root / "proc/device-tree/model").write_bytes(b"Raspberry Pi 4 Model B Rev 1.5\0")
    return root


def tree(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under root with its mode and (for files) content, to prove a dry run changed nothing."""
    out: dict[str, tuple[int, bytes | None]] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_mode, path.read_bytes() if path.is_file() else None)
    return out
