"""The local stack as one thing: ``up``, ``down`` and ``status`` return a report the CLI renders.

Order matters: Kafka Connect needs Kafka, and Debezium (inside Connect) needs PostgreSQL, so ``up`` goes
postgres → kafka → connect and ``down`` the reverse. ``up`` is idempotent: a component that runs and
answers is left alone. ``down`` only stops processes recorded in our pid files, never anything else.
Data (PostgreSQL cluster, Kafka log dirs, Connect's internal topics) stays in the state dir across down/up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.stack import connect, kafka, postgres, sink
from cdc_pipeline.stack.component import PortSetting, failure, wait_healthy
from cdc_pipeline.stack.os_user import os_user
from cdc_pipeline.stack.process import Processes
from cdc_pipeline.stack.runtime import ensure_runtime

ComponentName = Literal["postgres", "kafka", "connect", "sink"]
State = Literal["RUNNING", "STOPPED", "FAILED"]


@dataclass(frozen=True)
class ComponentStatus:
    """One row of ``cdc status``; ``startup_s`` is set by ``up`` for a component it just started."""

    name: ComponentName
    state: State
    pid: int | None
    port: int
    log_file: Path
    detail: str = ""
    startup_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "pid": self.pid,
            "port": self.port,
            "log_file": str(self.log_file),
            "detail": self.detail,
            "startup_s": None if self.startup_s is None else round(self.startup_s, 2),
        }


StackReport = list[ComponentStatus]


@dataclass(frozen=True)
class _Component:
    name: ComponentName
    port: Callable[[Settings], PortSetting]
    healthy: Callable[[Settings], bool]


COMPONENTS = (
    _Component("postgres", postgres.port, postgres.healthy),
    _Component("kafka", kafka.port, kafka.healthy),
    _Component("connect", connect.port, connect.healthy),
    _Component("sink", sink.port, sink.healthy),
)


def _start(
    name: ComponentName,
    settings: Settings,
    procs: Processes,
    progress: Callable[[str], None],
    project_dir: Path,
) -> float:
    """Start one component; the seconds from its start (initdb/format included) until it is healthy."""
    if name == "sink":
        return sink.start(settings, procs, project_dir)
    if name == "postgres":
        started = time.monotonic()
        postgres.start(settings, procs)
        return time.monotonic() - started
    runtime = ensure_runtime(settings, progress)  # cheap once cached; a first download is not startup time
    started = time.monotonic()
    (kafka.start if name == "kafka" else connect.start)(settings, runtime, procs)
    return time.monotonic() - started


def up(settings: Settings, progress: Callable[[str], None], project_dir: Path | None = None) -> StackReport:
    """Start whatever is not running, in dependency order, each healthy before the next; raise StackError.

    ``project_dir`` is where the sink process reads cdc.yaml, .env and .credentials (default: the cwd).
    """
    procs = Processes(settings.state_dir)
    postgres.adopt(settings, procs)
    timings: dict[str, float] = {}
    for comp in COMPONENTS:
        port = comp.port(settings)
        outdated = _outdated(comp.name, settings, procs) if procs.is_running(comp.name) else ""
        if outdated:
            progress(f"{comp.name}: {outdated}; restarting it")
            _stop(comp.name, settings, procs)
        if procs.is_running(comp.name):
            _await_running(comp, settings, procs)
            progress(f"{comp.name}: already running (pid {procs.pid(comp.name)}, port {port.port})")
            continue
        progress(f"{comp.name}: starting on 127.0.0.1:{port.port}")
        timings[comp.name] = _start(comp.name, settings, procs, progress, project_dir or Path.cwd())
        progress(f"{comp.name}: healthy after {timings[comp.name]:.1f}s")
    return [replace(row, startup_s=timings.get(row.name)) for row in status(settings)]


def _outdated(name: ComponentName, settings: Settings, procs: Processes) -> str:
    """Why a running component must be restarted to match this version's settings ("" when it need not):
    it runs as another OS user than the one the stack runs as, or Connect's worker config changed."""
    pid = procs.pid(name)
    user = os_user(settings)
    try:
        owner = Path(f"/proc/{pid}").stat().st_uid
    except (OSError, TypeError):
        return ""
    if user.switches and owner != user.uid:
        return f"it runs as uid {owner}, not as the OS user {user.name!r}"
    if name == "connect" and not connect.worker_config_current(settings):
        return "its worker configuration changed"
    return ""


def _await_running(comp: _Component, settings: Settings, procs: Processes) -> None:
    """A process of ours that runs but does not answer may still be starting (a concurrent ``up``): wait."""
    log_file = procs.log_file(comp.name)
    wait_healthy(
        comp.name,
        healthy=lambda: comp.healthy(settings),
        alive=lambda: procs.is_running(comp.name),
        timeout_s=settings.startup_timeout_s,
        port=comp.port(settings),
        log_file=log_file,
    )


def _stop(name: ComponentName, settings: Settings, procs: Processes) -> None:
    if name == "postgres":
        postgres.stop(settings, procs)
    else:
        {"kafka": kafka.stop, "connect": connect.stop, "sink": sink.stop}[name](procs)


def down(settings: Settings) -> StackReport:
    """Stop our processes in reverse order; data stays. Never touches a process without our pid file."""
    procs = Processes(settings.state_dir)
    postgres.adopt(settings, procs)
    stopped = {
        "sink": sink.stop(procs),
        "connect": connect.stop(procs),
        "kafka": kafka.stop(procs),
        "postgres": postgres.stop(settings, procs),
    }
    report: StackReport = []
    for comp in COMPONENTS:
        detail = "stopped" if stopped[comp.name] else "was not running"
        report.append(_row(comp, settings, procs, "STOPPED", pid=None, detail=detail))
    return report


def status(settings: Settings) -> StackReport:
    """RUNNING = our process is alive and answers; FAILED = alive but not answering; STOPPED = no process."""
    procs = Processes(settings.state_dir)
    postgres.adopt(settings, procs)
    report: StackReport = []
    for comp in COMPONENTS:
        pid = procs.pid(comp.name)
        port = comp.port(settings)
        if pid is None:
            report.append(_row(comp, settings, procs, "STOPPED", pid=None, detail=""))
        elif comp.healthy(settings):
            report.append(
                _row(comp, settings, procs, "RUNNING", pid=pid, detail=f"healthy on 127.0.0.1:{port.port}")
            )
        else:
            detail = str(failure(comp.name, "runs but does not answer", port, procs.log_file(comp.name)).what)
            report.append(_row(comp, settings, procs, "FAILED", pid=pid, detail=detail))
    return report


def _row(
    comp: _Component, settings: Settings, procs: Processes, state: State, *, pid: int | None, detail: str
) -> ComponentStatus:
    return ComponentStatus(comp.name, state, pid, comp.port(settings).port, procs.log_file(comp.name), detail)
