"""The sample (users, orders) replicated into DuckDB with native types, through inserts, updates, deletes and
a TRUNCATE: what the original demo got wrong (deletes lost, decimals as base64, timestamps as integers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import tables_from_connector_json
from cdc_pipeline.sample import load_sql_file, postgres_dsn
from tests.e2e.replica import duck_connect, duck_rows, pg_rows, running_sink, wait_equal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture()
def sample_db(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]], tmp_path: Path
) -> Iterator[Settings]:
    """The sample in a database of its own, so this test's changes touch nothing else on the shared stack."""
    name = f"sample_{uuid.uuid4().hex[:8]}"
    pg.execute(f"CREATE DATABASE {name}")
    settings = stack_settings.model_copy(
        update={
            "postgres_db": name,
            "connector_name": f"e2e_{name}",
            "topic_prefix": f"e2e_{name}",
            "duckdb_path": tmp_path / "sample.duckdb",
            "sink_max_wait_ms": 200,
        }
    )
    load_sql_file(settings, EXAMPLES / "init_data.sql")
    apply_connector(settings, tables_from_connector_json(EXAMPLES / "connector_config.json"))
    yield settings
    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)


def test_sample_replicates_with_native_types_through_every_kind_of_change(sample_db: Settings) -> None:
    with (
        psycopg.connect(postgres_dsn(sample_db), autocommit=True) as src,
        running_sink(sample_db) as check,
        duck_connect(sample_db.duckdb_file) as duck,
    ):

        def compare() -> None:
            for table in ("users", "orders"):
                wait_equal(
                    lambda t=table: pg_rows(src, t, ["id"]), lambda t=table: duck_rows(duck, t, ["id"]), check
                )

        compare()
        types = dict(
            duck.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"
            ).fetchall()
        )
        assert types["amount"] == "DECIMAL(10,2)" and types["updated_at"] == "TIMESTAMP"
        assert duck.execute("SELECT amount FROM orders WHERE id = 1").fetchone() == (Decimal("120.50"),)

        src.execute(
            "INSERT INTO users (id, name, email, updated_at) VALUES (4, 'David', 'd@example.com', NOW())"
        )
        src.execute("UPDATE users SET name = 'Alice Updated' WHERE id = 1")
        src.execute("DELETE FROM orders WHERE id = 1")
        compare()
        assert duck.execute("SELECT count(*) FROM orders WHERE id = 1").fetchone() == (0,)

        src.execute("TRUNCATE orders")
        src.execute("INSERT INTO orders VALUES (9, 4, 9.99, 'pending', NOW())")
        compare()
