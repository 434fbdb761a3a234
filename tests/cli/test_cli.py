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


def test_output_into_a_closed_pipe_is_not_an_error(tmp_path):
    script = "import sys; from kiosk.cli import main; sys.exit(main(['doctor']))"
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**__import__("os").environ, "KIOSK_DATA_DIR": str(tmp_path)},
    )
    proc.stdout.close()  # like `| head` that has read enough
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "internal error" not in err and "Traceback" not in err
