"""sd_notify and the progress watchdog, against a real datagram socket standing in for systemd."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.adapters.sdnotify import Notifier, Watchdog
from tests.fakes import FakeClock


def _recv_all(sock: socket.socket) -> list[str]:
    got = []
    while True:
        try:
            got.append(sock.recv(4096).decode())
        except BlockingIOError:
            return got


@pytest.fixture
def systemd_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.setblocking(False)
    yield sock, str(path)
    sock.close()


def test_ready_status_and_stopping_arrive(systemd_socket: tuple[socket.socket, str]) -> None:
    sock, path = systemd_socket
    n = Notifier({"NOTIFY_SOCKET": path})
    assert n.enabled
    assert n.ready("home screen\nshown")
    assert n.status("playing")
    assert n.extend_timeout(1.5)
    assert n.stopping()
    assert _recv_all(sock) == [
        "READY=1\nSTATUS=home screen shown",
        "STATUS=playing",
        "EXTEND_TIMEOUT_USEC=1500000",
        "STOPPING=1",
    ]


def test_abstract_socket() -> None:
    name = f"encore-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.setblocking(False)
    try:
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert _recv_all(sock) == ["READY=1"]
    finally:
        sock.close()


def test_unset_socket_is_a_no_op() -> None:
    n = Notifier({})
    assert not n.enabled
    assert not n.ready()
    assert Watchdog.from_env(n, {"WATCHDOG_USEC": "30000000"}) is None


def test_vanished_socket_does_not_raise(tmp_path: Path) -> None:
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert n.enabled
    assert not n.ready()
    assert not n.watchdog()


def test_from_env_reads_interval_and_respects_pid(systemd_socket: tuple[socket.socket, str]) -> None:
    _, path = systemd_socket
    n = Notifier({"NOTIFY_SOCKET": path})
    wd = Watchdog.from_env(n, {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())})
    assert wd is not None and wd.interval_s == 15.0
    assert Watchdog.from_env(n, {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert Watchdog.from_env(n, {}) is None
    assert Watchdog.from_env(n, {"WATCHDOG_USEC": "junk"}) is None


def test_watchdog_pings_while_both_progress_and_stops_when_either_stalls(
    systemd_socket: tuple[socket.socket, str],
) -> None:
    sock, path = systemd_socket
    clock = FakeClock()
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"})
    wd = Watchdog.from_env(n, {"WATCHDOG_USEC": "10000000"}, clock=clock.monotonic)
    assert wd is not None and wd.interval_s == 5.0

    # Nothing has beaten yet: no ping (a kiosk stuck before its first frame must be restarted).
    assert not wd.maybe_ping()
    sent = 0
    for _ in range(20):  # 20 s of healthy running, maybe_ping called every second
        wd.ui_beat()
        wd.engine_beat()
        sent += wd.maybe_ping()
        clock.advance(1.0)
    assert _recv_all(sock) == ["WATCHDOG=1"] * sent
    assert 6 <= sent <= 10  # spaced by interval/2 = 2.5 s

    # The engine wedges while the UI keeps drawing: pings stop once its last beat is interval_s old.
    pings_after_stall = 0
    for _ in range(10):
        wd.ui_beat()
        pings_after_stall += wd.maybe_ping()
        clock.advance(1.0)
    assert not wd.healthy()
    assert pings_after_stall <= 2
    _recv_all(sock)
    for _ in range(5):
        wd.ui_beat()
        assert not wd.maybe_ping()
        clock.advance(1.0)
    assert _recv_all(sock) == []

    # The engine recovers: pings resume at once.
    wd.engine_beat()
    wd.ui_beat()
    assert wd.maybe_ping()
    assert _recv_all(sock) == ["WATCHDOG=1"]

    # The UI loop hangs while the engine keeps pumping: pings stop too.
    clock.advance(6.0)
    wd.engine_beat()
    assert not wd.maybe_ping()
    assert _recv_all(sock) == []


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Watchdog(Notifier({}), 0)
