"""Pid-file identity, log tails and port detection of stack/process.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdc_pipeline.stack.os_user import current_user
from cdc_pipeline.stack.process import (
    Processes,
    cmdline_has_token,
    identity_token,
    last_relevant_line,
    parse_pid,
    port_in_use,
    read_cmdline,
)


def test_identity_token_is_stable_and_differs_per_state_dir(tmp_path: Path) -> None:
    assert identity_token(tmp_path / "a") == identity_token(tmp_path / "a")
    assert identity_token(tmp_path / "a") != identity_token(tmp_path / "ab")
    assert identity_token(tmp_path / "a").startswith("cdc-stack-")


def test_identity_token_resolves_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert identity_token(Path("state")) == identity_token(tmp_path / "state")


@pytest.mark.parametrize(
    ("cmdline", "expected"),
    [
        (b"java\0-Dcdc.stack=cdc-stack-abc\0kafka.Kafka\0", True),
        (b"postgres\0-c\0cluster_name=cdc-stack-abc\0", True),
        (b"java\0-Dcdc.stack=cdc-stack-xyz\0", False),
        (b"", False),  # zombie or gone
    ],
)
def test_cmdline_has_token(cmdline: bytes, expected: bool) -> None:
    assert cmdline_has_token(cmdline, "cdc-stack-abc") is expected


@pytest.mark.parametrize(
    ("text", "expected"), [("123\n", 123), ("4567\n/data\n", 4567), ("", None), ("abc", None), ("0", None)]
)
def test_parse_pid(text: str, expected: int | None) -> None:
    assert parse_pid(text) == expected


def _sleeper(args: list[str]) -> subprocess.Popen[bytes]:
    """A child that has exec'd (until then its cmdline is still the parent's, and a test would race it)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", *args])
    deadline = time.monotonic() + 10
    while b"time.sleep" not in read_cmdline(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return proc


def test_pid_is_trusted_only_with_our_token(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    ours, foreign = _sleeper([procs.token]), _sleeper(["someone-else"])
    try:
        procs.write_pid("kafka", ours.pid)
        assert procs.pid("kafka") == ours.pid
        procs.write_pid("kafka", foreign.pid)  # a reused pid: alive, but not ours
        assert procs.pid("kafka") is None
        assert not procs.pid_file("kafka").exists()  # stale file removed
    finally:
        ours.kill()
        foreign.kill()
        ours.wait()
        foreign.wait()


def test_dead_pid_is_stale(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    proc = _sleeper([procs.token])
    proc.kill()
    proc.wait()
    procs.write_pid("connect", proc.pid)
    assert not procs.is_running("connect")
    assert not procs.pid_file("connect").exists()


def test_spawn_logs_and_stop_terminates(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    code = "import sys, time; print('hello', flush=True); time.sleep(30)"
    proc = procs.spawn("demo", [sys.executable, "-c", code, procs.token], cwd=tmp_path, user=current_user())
    assert procs.pid("demo") == proc.pid
    assert os.getsid(proc.pid) == proc.pid  # detached: its own session
    deadline = time.monotonic() + 10
    while "hello" not in procs.log_file("demo").read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "hello" in procs.log_file("demo").read_text()
    assert procs.stop("demo", timeout_s=5)
    proc.wait(timeout=5)
    assert not procs.is_running("demo")
    assert procs.stop("demo") is False


def test_spawn_refuses_a_command_line_without_the_token(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="token"):
        Processes(tmp_path).spawn("demo", ["true"], cwd=tmp_path, user=current_user())


def test_last_relevant_line_prefers_errors_of_the_current_run(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text(
        "=== cdc: starting x at t0 ===\nERROR old failure\n"
        "=== cdc: starting x at t1 ===\nINFO fine\nERROR Address already in use\nINFO shutting down\n"
    )
    assert last_relevant_line(log) == "ERROR Address already in use"
    log.write_text("=== cdc: starting x at t2 ===\nINFO only info\n")
    assert last_relevant_line(log) == "INFO only info"
    assert last_relevant_line(tmp_path / "missing.log") == ""


def test_port_in_use_detects_a_listener() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert port_in_use(port)
    assert not port_in_use(port)


def test_port_in_use_sees_a_wildcard_listener() -> None:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        assert port_in_use(sock.getsockname()[1])
