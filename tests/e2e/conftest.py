"""One real stack per test session: PostgreSQL, Kafka (KRaft) and Kafka Connect with Debezium.

It runs on free ports in its own state directory, so it never touches a stack started with `cdc up`, and the
Maven Central jars come from the same cache `cdc up` uses (downloaded once). Logs are kept and printed on
failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.lifecycle import delete_connector
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.stack import stack


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def make_settings(state_dir: Path) -> Settings:
    pg, kafka, controller, connect, sink_http = free_ports(5)
    return Settings(
        state_dir=state_dir,
        postgres_port=pg,
        kafka_port=kafka,
        kafka_controller_port=controller,
        connect_port=connect,
        sink_http_port=sink_http,
        startup_timeout_s=180,
        # distinctive, so tests/e2e/test_security.py can search for it everywhere
        postgres_password=f"e2e-pw-{secrets.token_hex(12)}",
    )


def pipeline_settings(stack: Settings, name: str, tmp_path: Path, **update: object) -> Settings:
    """One test's own pipeline on the shared stack: connector, topic prefix and DuckDB file of its own."""
    return stack.model_copy(
        update={
            "connector_name": name,
            "topic_prefix": name,
            "duckdb_path": tmp_path / "replica.duckdb",
            "sink_max_wait_ms": 200,
            **update,
        }
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment variables that point the `cdc` command at this stack."""
    return {
        **os.environ,
        "CDC_STATE_DIR": str(settings.state_dir),
        "CDC_POSTGRES_PORT": str(settings.postgres_port),
        "CDC_KAFKA_PORT": str(settings.kafka_port),
        "CDC_KAFKA_CONTROLLER_PORT": str(settings.kafka_controller_port),
        "CDC_CONNECT_PORT": str(settings.connect_port),
        "CDC_SINK_HTTP_PORT": str(settings.sink_http_port),
        "CDC_POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
    }


@pytest.fixture(scope="session")
def stack_settings() -> Iterator[Settings]:
    root = Path(tempfile.mkdtemp(prefix="cdc-e2e-"))
    root.chmod(0o755)  # PostgreSQL runs as an unprivileged user that must traverse this directory
    settings = make_settings(root / "state")
    failed = False
    try:
        stack.up(settings, progress=lambda msg: print(f"[stack] {msg}"))
        yield settings
    except BaseException:
        failed = True
        raise
    finally:
        stack.down(settings)
        logs = settings.state_dir / "logs"
        if failed or os.environ.get("CDC_KEEP_E2E_STATE"):
            print(f"[stack] state and logs kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
        if logs.exists() and failed:
            for log in sorted(logs.glob("*.log")):
                print(f"--- last lines of {log}")
                print("\n".join(log.read_text(errors="replace").splitlines()[-30:]))


@pytest.fixture()
def pg(stack_settings: Settings) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(postgres_dsn(stack_settings), autocommit=True) as conn:
        yield conn


class Pipelines:
    """Makes pipelines of the test's own on the shared stack (see :func:`isolated_pipeline`)."""

    def __init__(self, stack_settings: Settings, tmp_path: Path) -> None:
        self.stack_settings = stack_settings
        self.tmp_path = tmp_path
        self.made: list[Settings] = []

    def __call__(self, name: str, apply_for: Sequence[TableRef] | None = None, **update: object) -> Settings:
        """Settings of a pipeline named ``e2e_<name>_<random>`` (its connector, topic prefix, slot and DuckDB
        file), ``update`` applied; with ``apply_for``, its connector is applied for those tables."""
        full = f"e2e_{name}_{uuid.uuid4().hex[:8]}"
        settings = pipeline_settings(
            self.stack_settings, full, self.tmp_path, duckdb_path=self.tmp_path / f"{full}.duckdb", **update
        )
        self.made.append(settings)
        if apply_for is not None:
            apply_connector(settings, list(apply_for))
        return settings


@pytest.fixture()
def isolated_pipeline(stack_settings: Settings, tmp_path: Path) -> Iterator[Pipelines]:
    """The one way an e2e test gets a pipeline of its own; each connector it made is deleted afterwards,
    with its slot and publication, so nothing of one test reaches another."""
    pipelines = Pipelines(stack_settings, tmp_path)
    yield pipelines
    for settings in pipelines.made:
        delete_connector(settings, drop_slot=True)
