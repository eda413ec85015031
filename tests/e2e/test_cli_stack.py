"""The README's first command on the real stack, idempotency, and data surviving `down` + `up`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import StackError
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.stack import stack
from tests.e2e.conftest import make_settings, settings_env
from tests.e2e.kafka_helpers import read_topic

REPO = Path(__file__).resolve().parents[2]


def cdc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdc_pipeline.cli.app", *args],
        cwd=REPO,
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def pids(settings: Settings) -> dict[str, int | None]:
    return {c.name: c.pid for c in stack.status(settings)}


def test_up_with_sample_registers_connector_and_status_shows_all_running(stack_settings: Settings) -> None:
    before = pids(stack_settings)
    result = cdc(stack_settings, "up", "--sample")
    assert result.returncode == 0, result.stderr
    assert pids(stack_settings) == before, "a second `up` must leave the running stack alone"

    status = cdc(stack_settings, "status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    rows = {row["name"]: row["state"] for row in json.loads(status.stdout)["rows"]}
    assert rows["postgres"] == rows["kafka"] == rows["connect"] == rows["sink"] == "RUNNING"
    assert rows[f"connector {stack_settings.connector_name}"] == "RUNNING"

    users = read_topic(
        stack_settings.bootstrap_servers, f"{stack_settings.topic_prefix}.public.users", count=3
    )
    names = sorted(json.loads(m.value or b"{}")["payload"]["after"]["name"] for m in users)
    assert names == ["Alice", "Bob", "Charlie"]

    # The sink `cdc up` started has replicated them, and `cdc query` reads them while it runs.
    deadline = time.monotonic() + 60
    query = "SELECT id, name FROM users ORDER BY id"
    while True:
        result = cdc(stack_settings, "query", query, "--format", "json")
        if result.returncode == 0 and len(json.loads(result.stdout)["rows"]) == 3:
            break
        assert time.monotonic() < deadline, result.stdout + result.stderr
        time.sleep(1)
    assert json.loads(result.stdout)["rows"] == [[1, "Alice"], [2, "Bob"], [3, "Charlie"]]


def test_down_then_up_brings_the_same_data_back(stack_settings: Settings) -> None:
    assert cdc(stack_settings, "up", "--sample").returncode == 0
    with psycopg.connect(postgres_dsn(stack_settings), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS survives (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO survives VALUES (1, 'kept') ON CONFLICT DO NOTHING")
    users_topic = f"{stack_settings.topic_prefix}.public.users"
    assert len(read_topic(stack_settings.bootstrap_servers, users_topic, count=3)) == 3

    report = stack.down(stack_settings)
    assert {c.name: c.state for c in report} == {
        "postgres": "STOPPED",
        "kafka": "STOPPED",
        "connect": "STOPPED",
        "sink": "STOPPED",
    }
    assert all(c.state == "STOPPED" for c in stack.status(stack_settings))

    assert cdc(stack_settings, "up").returncode == 0
    with psycopg.connect(postgres_dsn(stack_settings)) as conn:
        assert conn.execute("SELECT v FROM survives WHERE id = 1").fetchone() == ("kept",)
    status = cdc(stack_settings, "status", "--json")
    assert json.loads(status.stdout)["all_running"], status.stdout
    # Kafka kept its log and Connect its offsets: the snapshot's three rows are there, not snapshotted again.
    after = read_topic(stack_settings.bootstrap_servers, users_topic, count=4, timeout_s=15)
    assert [m.offset for m in after] == [0, 1, 2]


def test_a_busy_port_names_the_setting_that_changes_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("busy")
    root.chmod(0o755)
    settings = make_settings(root / "state")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", settings.postgres_port))
        blocker.listen()
        with pytest.raises(StackError) as error:
            stack.up(settings, progress=lambda _: None)
    message = str(error.value)
    assert str(settings.postgres_port) in message and "postgres_port" in message
