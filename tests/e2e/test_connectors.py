"""`cdc connectors` on the real stack: preflight, plan, apply, status, restart, delete, and adding a table.

Each test uses its own connector name and topic prefix, and deletes its connector, slot and publication.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from cdc_pipeline import _core
from cdc_pipeline.cli.app import app
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.lifecycle import delete_connector
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import PreflightError, run_preflight
from tests.e2e.conftest import settings_env
from tests.e2e.kafka_helpers import read_topic
from tests.e2e.replica import eventually

PG = psycopg.Connection[tuple[object, ...]]


@pytest.fixture()
def pipeline(stack_settings: Settings) -> Iterator[Settings]:
    """Settings with a connector name and topic prefix of this test only; cleaned up afterwards."""
    name = f"e2e_conn_{uuid.uuid4().hex[:8]}"
    settings = stack_settings.model_copy(update={"connector_name": name, "topic_prefix": name})
    yield settings
    delete_connector(settings, drop_slot=True)


def cli(settings: Settings, project: Path, *args: str, extra_env: dict[str, str] | None = None) -> Any:
    env = {
        **settings_env(settings),
        "CDC_CONNECTOR_NAME": settings.connector_name,
        "CDC_TOPIC_PREFIX": settings.topic_prefix,
        **(extra_env or {}),
    }
    return CliRunner().invoke(app, ["--project-dir", str(project), *args], env=env)


def cli_json(settings: Settings, project: Path, *args: str, code: int = 0, **kw: Any) -> Any:
    result = cli(settings, project, *args, "--json", **kw)
    assert result.exit_code == code, result.output
    return json.loads(result.output)


def test_preflight_shows_real_problems_and_apply_changes_nothing(pipeline: Settings, pg: PG) -> None:
    suffix = uuid.uuid4().hex[:8]
    keyless, role = f"keyless_{suffix}", f"norepl_{suffix}"
    pg.execute(f"CREATE TABLE {keyless} (seq bigint, what text)")
    pg.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{suffix}'")
    tables = [TableRef("public", keyless), TableRef("public", f"missing_{suffix}")]

    problems = [p.line() for p in run_preflight(pipeline, tables).problems]
    assert problems == [
        f"table public.{keyless} has no primary key: once published, PostgreSQL refuses its UPDATE and "
        f"DELETE; fix: run `ALTER TABLE public.{keyless} REPLICA IDENTITY FULL;`, or add a primary key, "
        f"or set key_columns for public.{keyless}",
        f"table public.missing_{suffix} does not exist (names are case-sensitive); fix: create it, or "
        f"remove public.missing_{suffix} from the table list",
    ]
    as_role = pipeline.model_copy(
        update={"postgres_user": role, "postgres_password": SecretStr(f"pw-{suffix}")}
    )
    assert [p.check for p in run_preflight(as_role, tables[:1]).problems] == [
        "replication",
        "replica_identity",
    ]
    with pytest.raises(PreflightError, match=f"ALTER ROLE {role} WITH REPLICATION;"):
        apply_connector(as_role, tables[:1])

    pg.execute(f"ALTER TABLE {keyless} REPLICA IDENTITY FULL")
    assert run_preflight(pipeline, tables[:1]).problems == []
    # an array column: PostgreSQL would store {{1,2},{3,4}} in it (Debezium sends NULL elements), until the
    # CHECK the warning names refuses it
    pg.execute(f"ALTER TABLE {keyless} ADD COLUMN tags integer[]")
    [warning] = run_preflight(pipeline, tables[:1]).problems
    assert warning.check == "array_dimensions" and not warning.blocking, warning
    pg.execute(f"INSERT INTO {keyless} (tags) VALUES ('{{{{1,2}},{{3,4}}}}')")
    pg.execute(f"DELETE FROM {keyless}")
    pg.execute(warning.fix.split("`")[1])
    assert run_preflight(pipeline, tables[:1]).problems == []
    with pytest.raises(psycopg.errors.CheckViolation):
        pg.execute(f"INSERT INTO {keyless} (tags) VALUES ('{{{{1,2}},{{3,4}}}}')")
    pg.execute(f"DROP ROLE {role}")


def test_plan_apply_status_restart_delete_through_the_cli(pipeline: Settings, pg: PG, tmp_path: Path) -> None:
    table = f"items_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, note text)")
    # no retries, so killing the walsender below fails the task instead of letting Debezium reconnect
    env = {"CDC_TABLES": f"public.{table}", "CDC_DEBEZIUM": '{"errors.max.retries": 0}'}

    planned = cli_json(pipeline, tmp_path, "connectors", "plan", extra_env=env)
    assert planned["action"] == "create" and planned["ok"] and planned["problems"] == []
    assert planned["config"]["database.password"] == "********"
    assert planned["config"]["table.include.list"] == f"(?-i)public.{table}"

    applied = cli_json(pipeline, tmp_path, "connectors", "apply", extra_env=env)
    assert applied["action"] == "created" and applied["state"]["state"] == "RUNNING"
    assert cli_json(pipeline, tmp_path, "connectors", "apply", extra_env=env)["action"] == "unchanged"
    assert cli_json(pipeline, tmp_path, "connectors", "plan", extra_env=env)["action"] == "none"
    changed = {**env, "CDC_DEBEZIUM": '{"errors.max.retries": 0, "heartbeat.interval.ms": 5000}'}
    diff = cli_json(pipeline, tmp_path, "connectors", "plan", extra_env=changed)["changes"]
    assert diff == [{"key": "heartbeat.interval.ms", "current": "10000", "planned": "5000"}]

    status = cli_json(pipeline, tmp_path, "connectors", "status", extra_env=env)
    assert status["running"] and status["slot"]["active"]
    nothing = cli_json(pipeline, tmp_path, "connectors", "restart", extra_env=env)
    assert nothing["restarted"] == []

    kill_walsender(pg, status["slot"]["name"])
    failed = eventually(
        "`cdc connectors status` exits 1 (the task FAILED)",
        lambda: cli_json(pipeline, tmp_path, "connectors", "status", code=1, extra_env=env),
        60,
        every_s=1,
    )
    task = failed["state"]["tasks"][0]
    assert task["state"] == "FAILED" and task["trace"]
    human = cli(pipeline, tmp_path, "connectors", "status", extra_env=env)
    assert human.exit_code == 1 and "task 0 FAILED" in human.output and "trace:" in human.output

    restarted = cli_json(pipeline, tmp_path, "connectors", "restart", extra_env=env)
    assert "task 0" in restarted["restarted"] and restarted["state"]["state"] == "RUNNING"
    assert restarted["position"]["kind"] == "resume", restarted["position"]  # a transient failure resumes

    deleted = cli_json(pipeline, tmp_path, "connectors", "delete", "--yes", extra_env=env)
    assert deleted["deleted"] and deleted["slot_result"] == "dropped"
    assert deleted["publication_result"] == "dropped"
    assert (
        pg.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (deleted["slot"],)).fetchone()
        is None
    )
    gone = cli(pipeline, tmp_path, "connectors", "status", extra_env=env)
    assert gone.exit_code == 1 and "not registered" in gone.output


def kill_walsender(pg: PG, slot: str) -> None:
    pg.execute(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = %s", (slot,)
    )


def ops(messages: list[_core.Message]) -> list[str]:
    return [json.loads(m.value)["payload"]["op"] for m in messages if m.value is not None]


def test_adding_a_table_snapshots_only_the_new_table(pipeline: Settings, pg: PG) -> None:
    suffix = uuid.uuid4().hex[:8]
    first, second = f"first_{suffix}", f"second_{suffix}"
    for table in (first, second):
        pg.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, note text)")
        pg.execute(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b')")
    topic = f"{pipeline.topic_prefix}.public.{{}}".format

    report = apply_connector(pipeline, [TableRef("public", first)])
    assert report.action == "created" and report.snapshot_tables == []
    assert ops(read_topic(pipeline.bootstrap_servers, topic(first), count=2)) == ["r", "r"]
    pg.execute(f"INSERT INTO {first} VALUES (3, 'c')")

    report = apply_connector(pipeline, [TableRef("public", first), TableRef("public", second)])
    assert report.action == "updated" and report.snapshot_tables == [f"public.{second}"]
    assert ops(read_topic(pipeline.bootstrap_servers, topic(second), count=2)) == ["r", "r"]
    pg.execute(f"INSERT INTO {second} VALUES (3, 'c')")
    assert ops(read_topic(pipeline.bootstrap_servers, topic(second), count=3))[2] == "c"

    # the first table was not snapshotted again: its snapshot rows, then the one insert, and nothing more
    assert ops(read_topic(pipeline.bootstrap_servers, topic(first), count=4, timeout_s=10)) == ["r", "r", "c"]
    again = apply_connector(pipeline, [TableRef("public", first), TableRef("public", second)])
    assert again.action == "unchanged" and again.snapshot_tables == []
