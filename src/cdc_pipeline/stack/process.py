"""Start, find and stop the stack's own processes, and nothing else.

A process belongs to this stack when its pid file under ``<state_dir>/run/`` names a live pid AND that
pid's ``/proc/<pid>/cmdline`` contains the identity token of this state directory. Pids are reused by the
kernel, and several stacks (other state dirs, other users) may run on one machine, so processes are never
looked up by name and a pid alone is never trusted. A pid file that fails the check is stale and is removed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdc_pipeline.stack.os_user import OsUser, secure_tree

TOKEN_PREFIX = "cdc-stack-"
START_MARKER = "=== cdc: starting"
ERROR_WORDS = ("FATAL", "ERROR", "Exception", "Error:", "error:", "PANIC")


def identity_token(state_dir: Path) -> str:
    """A short token unique to one (resolved) state directory, put on the command line of every process."""
    digest = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:16]
    return f"{TOKEN_PREFIX}{digest}"


def cmdline_has_token(cmdline: bytes, token: str) -> bool:
    """True when one NUL-separated argument of a ``/proc/<pid>/cmdline`` contains ``token``."""
    needle = token.encode()
    return any(needle in arg for arg in cmdline.split(b"\0"))


def parse_pid(text: str) -> int | None:
    """The pid in a pid file's first line, or None when the file is garbage."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    return int(first) if first.isdigit() and int(first) > 0 else None


def read_cmdline(pid: int) -> bytes:
    """The command line of ``pid``; empty for a zombie or a process that is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already listens on ``host:port`` (so our server could not bind it).

    Binding with SO_REUSEADDR, as the servers themselves do, ignores sockets in TIME_WAIT left by a process we
    just stopped, yet fails for a listener on the same address or on 0.0.0.0.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def log_tail(log_file: Path, max_bytes: int = 65536) -> list[str]:
    """The last lines of a log written since its most recent start marker (see :meth:`Processes.open_log`)."""
    try:
        with log_file.open("rb") as handle:
            handle.seek(max(0, log_file.stat().st_size - max_bytes))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith(START_MARKER)]
    return lines[starts[-1] + 1 :] if starts else lines


def last_relevant_line(log_file: Path) -> str:
    """The last error-looking line of the current run of a log, else its last line (cheap: the tail only)."""
    lines = log_tail(log_file)
    for line in reversed(lines):
        if any(word in line for word in ERROR_WORDS):
            return line[:300]
    return lines[-1][:300] if lines else ""


class Processes:
    """The pid files of one state directory and the processes they name."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir.resolve()
        self.token = identity_token(self.state_dir)
        self.run_dir = self.state_dir / "run"
        self.log_dir = self.state_dir / "logs"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def open_log(self, name: str) -> Path:
        """Create the log dir and append a start marker, so the tail of this run can be told apart."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        path = self.log_file(name)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as handle:
            handle.write(f"{START_MARKER} {name} at {datetime.now(UTC).isoformat(timespec='seconds')} ===\n")
        return path

    def spawn(
        self,
        name: str,
        argv: Sequence[str],
        cwd: Path,
        user: OsUser,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` as ``user`` (umask 077), detached (own session, survives the CLI), output appended
        to its log; write its pid. The state dir is made the user's and private first (:func:`secure_tree`).

        ``argv`` must contain :attr:`token` so :meth:`pid` can recognise the process later.
        """
        if not any(self.token in arg for arg in argv):
            raise ValueError(f"{name}: command line lacks the stack token {self.token}")
        log_path = self.open_log(name)
        secure_tree(self.state_dir, user)
        switch: dict[str, Any] = {}
        if user.switches:
            switch = {"user": user.uid, "group": user.gid, "extra_groups": sorted(user.gids)}
        environment = dict(os.environ if env is None else env)
        environment["HOME"] = str(self.state_dir)  # the service user has no home; never root's
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                umask=0o077,
                **switch,
            )
        self._await_exec(proc)
        self.write_pid(name, proc.pid)
        return proc

    def _await_exec(self, proc: subprocess.Popen[bytes]) -> None:
        """Until the child has exec'd, its cmdline is still ours (no token) and would read as a stale pid."""
        deadline = time.monotonic() + 5.0
        while proc.poll() is None and time.monotonic() < deadline:
            if cmdline_has_token(read_cmdline(proc.pid), self.token):
                return
            time.sleep(0.005)

    def write_pid(self, name: str, pid: int) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.pid_file(name).with_suffix(".pid.tmp")
        tmp.write_text(f"{pid}\n", encoding="ascii")
        tmp.chmod(0o600)
        tmp.replace(self.pid_file(name))

    def pid(self, name: str) -> int | None:
        """The pid of our live ``name`` process, or None; removes a stale pid file."""
        path = self.pid_file(name)
        try:
            pid = parse_pid(path.read_text(encoding="ascii", errors="replace"))
        except FileNotFoundError:
            return None
        if pid is not None and cmdline_has_token(read_cmdline(pid), self.token):
            return pid
        path.unlink(missing_ok=True)
        return None

    def is_running(self, name: str) -> bool:
        return self.pid(name) is not None

    def stop(self, name: str, timeout_s: float = 30.0, sig: signal.Signals = signal.SIGTERM) -> bool:
        """Signal our ``name`` process, wait, SIGKILL it after ``timeout_s``; False when none ran."""
        pid = self.pid(name)
        if pid is None:
            return False
        _signal(pid, sig)
        if not self._wait_gone(pid, timeout_s):
            _signal(pid, signal.SIGKILL)
            self._wait_gone(pid, 10.0)
        self.pid_file(name).unlink(missing_ok=True)
        return True

    def _wait_gone(self, pid: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not cmdline_has_token(read_cmdline(pid), self.token):
                return True
            _reap(pid)
            time.sleep(0.1)
        return False


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reap(pid: int) -> None:
    """Collect the exit status if the process is our child (started by this run), so no zombie lingers."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
