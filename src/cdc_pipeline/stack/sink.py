"""The DuckDB sink as a stack component: `cdc sink` run detached, with a pid file and a log like the others.

It starts last (it needs Kafka) and stops first (SIGTERM lets it finish its batch and checkpoint DuckDB).
Healthy means its endpoint answers ``/health`` with 200, which it does only after its loop's first turn
(Kafka reached, the first batch applied), so `cdc up` never calls a sink healthy that dies right after;
with the endpoint off (``sink_http_port`` 0), that it runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx

import cdc_pipeline
from cdc_pipeline.config.settings import ENV_PREFIX, SETTINGS_ENV, Settings, settings_to_json
from cdc_pipeline.errors import StackError
from cdc_pipeline.stack.component import PortSetting, check_ports_free, spawn_healthy
from cdc_pipeline.stack.os_user import OsUser, check_readable, os_user
from cdc_pipeline.stack.process import Processes

NAME = "sink"


def port(settings: Settings) -> PortSetting:
    return PortSetting(settings.sink_http_port, "sink_http_port")


def healthy(settings: Settings) -> bool:
    if not settings.sink_http_port:
        return Processes(settings.state_dir).is_running(NAME)
    try:
        url = f"http://127.0.0.1:{settings.sink_http_port}/health"
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def command(token: str) -> list[str]:
    """``python -X <token> -m cdc_pipeline.sink_process``: -X options are ignored by Python but show in the
    process command line, which is how our pid files recognise it. The settings come in the environment."""
    return [sys.executable, "-X", f"cdc.stack={token}", "-m", "cdc_pipeline.sink_process"]


def environment(settings: Settings) -> dict[str, str]:
    """Ours, minus any ``CDC_*`` variable, plus the whole settings object (secrets included: a process's
    environment is readable by its owner and root only), so the sink runs with exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    env[SETTINGS_ENV] = settings_to_json(settings)
    return env


def _check_duckdb_writable(settings: Settings, user: OsUser) -> None:
    """The sink runs as ``user``: a DuckDB file outside the state dir (which :func:`secure_tree` gives to
    ``user``) must be in a directory it owns, and the file and its WAL must be its own."""
    path = settings.duckdb_file.resolve()
    if not user.switches or path.is_relative_to(settings.state_dir.resolve()):
        return
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    if parent.stat().st_uid != user.uid:
        raise StackError(
            f"sink: OS user {user.name!r} runs the sink but does not own {parent}, which holds duckdb_path "
            f"{path}",
            f"run `chown {user.name} {parent}`, or set duckdb_path (env CDC_DUCKDB_PATH) under the state dir",
        )
    for existing in (path, path.with_name(path.name + ".wal")):
        if existing.exists():
            user.own(existing)


def start(settings: Settings, procs: Processes, project_dir: Path) -> float:
    """Start the sink and wait until its endpoint answers; return the seconds taken."""
    if settings.sink_http_port:
        check_ports_free(NAME, [port(settings)])
    argv = command(procs.token)
    user = os_user(settings)
    package = Path(cdc_pipeline.__file__).parent
    interpreter = Path(os.path.realpath(sys.executable))
    rebuild = (
        "rebuild the venv on a system Python: `rm -rf .venv && make setup` (it uses /usr/bin/python3.11)"
    )
    check_readable([interpreter], user, NAME, fix=rebuild)
    check_readable([Path(sys.prefix), package, project_dir], user, NAME)
    _check_duckdb_writable(settings, user)
    return spawn_healthy(
        procs,
        NAME,
        argv,
        project_dir,
        user,
        healthy=lambda: healthy(settings),
        timeout_s=settings.startup_timeout_s,
        port=port(settings),
        env=environment(settings),
    )


def stop(procs: Processes, timeout_s: float = 60.0) -> bool:
    return procs.stop(NAME, timeout_s)
