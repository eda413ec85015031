"""Pieces every component of the stack shares: port ownership messages and the wait-until-healthy loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cdc_pipeline.config.settings import ALIASES, ENV_PREFIX
from cdc_pipeline.errors import StackError
from cdc_pipeline.stack.os_user import OsUser
from cdc_pipeline.stack.process import Processes, last_relevant_line, port_in_use


@dataclass(frozen=True)
class PortSetting:
    """A port a component binds and the setting that changes it."""

    port: int
    setting: str

    def describe(self) -> str:
        """E.g. ``port 19092 (kafka_port, env CDC_KAFKA_PORT or KAFKA_PORT in .env)``."""
        aliases = [alias.upper() for alias, target in ALIASES.items() if target == self.setting]
        names = [self.setting.upper(), *aliases]
        return (
            f"port {self.port} ({self.setting}, env {ENV_PREFIX}{self.setting.upper()} "
            f"or {' / '.join(names)} in .env)"
        )


def check_ports_free(component: str, ports: list[PortSetting]) -> None:
    """Refuse to start when another process holds one of our ports: the start would fail later, vaguely."""
    for port in ports:
        if port_in_use(port.port):
            raise StackError(
                f"{component}: {port.describe()} is in use by another process",
                f"stop that process or choose another {port.setting}",
            )


def failure(component: str, what: str, port: PortSetting, log_file: Path) -> StackError:
    """One line naming the component, its port setting, its log and the last relevant line of the log."""
    line = last_relevant_line(log_file).rstrip(". ")
    tail = f": {line}" if line else ""
    return StackError(
        f"{component} {what} (port {port.port}, setting {port.setting}); log {log_file}{tail}",
        "fix the cause and rerun `cdc up`; `cdc down` stops what did start",
    )


def wait_healthy(
    component: str,
    *,
    healthy: Callable[[], bool],
    alive: Callable[[], bool],
    timeout_s: float,
    port: PortSetting,
    log_file: Path,
) -> float:
    """Poll ``healthy`` until it passes; fail fast if the process dies. Returns the seconds it took."""
    started = time.monotonic()
    deadline = started + timeout_s
    delay = 0.2
    while True:
        if healthy():
            return time.monotonic() - started
        if not alive():
            raise failure(component, "exited during startup", port, log_file)
        if time.monotonic() >= deadline:
            raise failure(component, f"did not become healthy within {timeout_s:.0f}s", port, log_file)
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def spawn_healthy(
    procs: Processes,
    component: str,
    argv: Sequence[str],
    cwd: Path,
    user: OsUser,
    *,
    healthy: Callable[[], bool],
    timeout_s: float,
    port: PortSetting,
    env: Mapping[str, str] | None = None,
) -> float:
    """Start ``argv`` as ``user`` and wait until ``healthy`` (see :func:`wait_healthy`): how every component
    this product runs as a child process starts. Returns the seconds it took."""
    proc = procs.spawn(component, argv, cwd=cwd, user=user, env=env)
    return wait_healthy(
        component,
        healthy=healthy,
        alive=lambda: proc.poll() is None,
        timeout_s=timeout_s,
        port=port,
        log_file=procs.log_file(component),
    )
