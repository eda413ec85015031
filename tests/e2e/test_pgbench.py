"""PostgreSQL's own pgbench as the workload, as a new user runs it on the first day.

`pgbench -i -s 1`, all four tables captured (pgbench_history has no primary key: REPLICA IDENTITY FULL as the
preflight suggests), a bounded `pgbench -T 15 -c 2`, then `cdc verify` equal on all four. Before each run
pgbench truncates pgbench_history, whose Debezium truncate event describes no row: it once killed the sink
("Table must have at least one column!").
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from cdc_pipeline import tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.verify.run import VerifyOptions, verify
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.sink.tables_admin import TablesReport
from tests.e2e.replica import running_sink

TABLES = ("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history")


def pgbench(settings: Settings, *args: str) -> None:
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(settings.postgres_port),
        "PGUSER": settings.postgres_user,
        "PGPASSWORD": settings.postgres_password.get_secret_value(),
        "PGDATABASE": settings.postgres_db,
    }
    done = subprocess.run(
        ["pgbench", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, f"pgbench {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture()
def bench_db(stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]) -> Iterator[Settings]:
    suffix = uuid.uuid4().hex[:8]
    database = f"pgbench_{suffix}"
    pg.execute(f"CREATE DATABASE {database}")
    settings = stack_settings.model_copy(
        update={
            "postgres_db": database,
            "connector_name": f"e2e_pgbench_{suffix}",
            "topic_prefix": f"e2e_pgbench_{suffix}",
            "duckdb_path": stack_settings.state_dir / f"pgbench_{suffix}.duckdb",
        }
    )
    pgbench(settings, "-i", "-s", "1", "-q")
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as conn:
        conn.execute("ALTER TABLE pgbench_history REPLICA IDENTITY FULL")
    apply_connector(settings, [TableRef("public", t) for t in TABLES])
    yield settings
    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)


def test_pgbench_replicates_all_four_tables_exactly(bench_db: Settings) -> None:
    with running_sink(bench_db) as sink:
        pgbench(bench_db, "-T", "15", "-c", "2")  # truncates pgbench_history first, then ~15 s of TPC-B
        report = verify(sink.settings, VerifyOptions(tables=[f"public.{t}" for t in TABLES], timeout_s=120))
        sink()
        assert report.verdict == "equal", report.to_json()
        assert [t.verdict for t in report.tables] == ["equal"] * 4, report.to_json()
        listed = tables.list_tables(sink.settings)
        assert isinstance(listed, TablesReport) and listed.stopped == [], listed
        with pytest.raises(CdcError, match="key_columns") as refused:  # keyless: no incremental snapshot
            tables.resnapshot(sink.settings, "public.pgbench_history")
        assert "cdc tables resnapshot public.pgbench_history" in str(refused.value)
