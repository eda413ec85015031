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

from cdc_pipeline.config.settings import ENV_PREFIX, Settings
from cdc_pipeline.stack.component import PortSetting, check_ports_free, wait_healthy
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


def command(settings: Settings, token: str, project_dir: Path) -> list[str]:
    """``python -X <token> -m cdc_pipeline.cli.app ... sink``: -X options are ignored by Python but show in
    the process command line, which is how our pid files recognise it."""
    return [
        sys.executable,
        "-X",
        f"cdc.stack={token}",
        "-m",
        "cdc_pipeline.cli.app",
        "--project-dir",
        str(project_dir),
        "--state-dir",
        str(settings.state_dir),
        "sink",
    ]


# What the sink reads from its settings. They are handed over explicitly, so a sink started for settings
# built in code (tests, other front ends) uses exactly those, whatever the project files say.
SINK_FIELDS = (
    "state_dir",
    "kafka_port",
    "topic_prefix",
    "signal_table",
    "sink_max_events",
    "sink_max_bytes",
    "sink_max_wait_ms",
    "sink_on_error",
    "sink_dead_letter_topic",
    "sink_group_id",
    "sink_topic_refresh_ms",
    "sink_table_check_s",
    "sink_kafka_retry_s",
    "sink_duckdb_retry_s",
    "sink_retry_base_s",
    "sink_retry_max_s",
    "sink_http_port",
    "sink_http_host",
    "sink_query_timeout_s",
    "sink_query_max_rows",
    "sink_query_max_bytes",
    "max_row_bytes",
    # The sink reads PostgreSQL's catalog for DDL (sink/source_catalog.py) and samples its connector's
    # health (observe/connector_poller.py): Connect, the slot in PostgreSQL, the thresholds. The password
    # comes from .credentials as for every command.
    "connect_port",
    "connector_name",
    "postgres_port",
    "postgres_user",
    "postgres_db",
    "connector_stall_s",
)


def environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({f"{ENV_PREFIX}{name.upper()}": str(getattr(settings, name)) for name in SINK_FIELDS})
    env[f"{ENV_PREFIX}DUCKDB_PATH"] = str(settings.duckdb_file)
    return env


def start(settings: Settings, procs: Processes, project_dir: Path) -> float:
    """Start the sink and wait until its endpoint answers; return the seconds taken."""
    if settings.sink_http_port:
        check_ports_free(NAME, [port(settings)])
    argv = command(settings, procs.token, project_dir)
    proc = procs.spawn(NAME, argv, cwd=project_dir, env=environment(settings))
    return wait_healthy(
        NAME,
        healthy=lambda: healthy(settings),
        alive=lambda: proc.poll() is None,
        timeout_s=settings.startup_timeout_s,
        port=port(settings),
        log_file=procs.log_file(NAME),
    )


def stop(procs: Processes, timeout_s: float = 60.0) -> bool:
    return procs.stop(NAME, timeout_s)
