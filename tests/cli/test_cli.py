from __future__ import annotations

import subprocess
import sys

from kiosk.cli import main


def test_help_lists_commands(capsys):
    assert main([]) == 2
    assert "run" in capsys.readouterr().out


def test_python_dash_m_kiosk_works():
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0
    assert "usage: kiosk" in out.stdout
