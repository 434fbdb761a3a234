"""Staff PIN hashing (scrypt), verifying, and `kiosk hash-pin` reading stdin."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.config import load_config
from kiosk.pin import hash_pin, parse_pin_hash, verify_pin

FAST: dict[str, int] = {}  # the real default: weaker parameters are refused (N >= 2^14)


def test_hash_then_verify():
    line = hash_pin("1234", **FAST)
    assert line.startswith("scrypt$16384$8$1$")
    assert verify_pin("1234", line)
    assert not verify_pin("1235", line)
    assert not verify_pin("", line)


def test_hashes_are_salted():
    assert hash_pin("1234", **FAST) != hash_pin("1234", **FAST)


def test_format_fields():
    parsed = parse_pin_hash(hash_pin("87654321", **FAST))
    assert (parsed.n, parsed.r, parsed.p, len(parsed.salt), len(parsed.digest)) == (16384, 8, 1, 16, 32)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 1234"])
def test_pin_must_be_4_to_8_digits(pin):
    with pytest.raises(ValueError, match="4 to 8 digits"):
        hash_pin(pin, **FAST)


@pytest.mark.parametrize(
    "line",
    ["", "1234", "scrypt$16$8$1$zz$00", "scrypt$15$8$1$" + "00" * 16 + "$" + "00" * 32, "md5$x$y$z$a$b"],
)
def test_bad_hash_lines_never_verify_and_never_raise(line):
    assert verify_pin("1234", line) is False


def _hash_pin_cli(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "hash-pin"], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_hash_pin_command_reads_stdin_and_the_hash_verifies(tmp_path):
    out = _hash_pin_cli("4826\n")
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert verify_pin("4826", line) and not verify_pin("4827", line)
    assert "4826" not in out.stdout + out.stderr
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(f'[kiosk]\nstaff_pin_hash = "{line}"\n')
    assert load_config(config_file).kiosk.staff_pin_hash == line


def test_hash_pin_command_refuses_a_bad_pin():
    out = _hash_pin_cli("12\n")
    assert out.returncode == 1
    assert out.stdout == ""
    assert "4 to 8 digits" in out.stderr and "Traceback" not in out.stderr
    empty = _hash_pin_cli("")
    assert empty.returncode == 1 and "no PIN" in empty.stderr


def _run_in_pty(answers: list[str]) -> tuple[int, str]:
    """Run `kiosk hash-pin` on a real pseudo-terminal, typing ``answers`` at its prompts."""
    import os
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        os.execv(sys.executable, [sys.executable, "-m", "kiosk", "hash-pin"])
    out = b""
    pending = list(answers)
    while True:
        ready, _, _ = select.select([fd], [], [], 20)
        if not ready:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if pending and out.endswith(b": "):  # a prompt waits (echo off already: getpass sets it first)
            os.write(fd, pending.pop(0).encode() + b"\n")
    if not ready:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_hash_pin_at_a_terminal_asks_twice_without_echo():
    code, out = _run_in_pty(["7391", "7391"])
    assert code == 0, out
    assert "Staff PIN (4-8 digits):" in out and "Same PIN again:" in out
    assert "7391" not in out  # never echoed
    line = next(word for word in out.split() if word.startswith("scrypt$"))
    assert verify_pin("7391", line)


def test_hash_pin_at_a_terminal_refuses_different_pins():
    code, out = _run_in_pty(["7391", "7392"])
    assert code == 1
    assert "the two PINs differ" in out and "scrypt$" not in out
