"""A keyless table's stop, on the real stack: the others keep flowing, and its way back ends equal.

``kl`` has no primary key (REPLICA IDENTITY FULL, as the preflight asks). A column added with a volatile
default (``DEFAULT now()``) gives the rows that existed values only PostgreSQL knows, and without a key the
sink cannot match them to backfill: it stops ``kl`` alone, naming the way back. ``ok`` keeps flowing. An
incremental re-snapshot is refused until the table has ``key_columns`` (Debezium's ``surrogate-key``); with
them, `cdc connectors apply` then `cdc tables resnapshot` rebuild ``kl`` and it ends equal, streaming again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
import pytest

from cdc_pipeline import tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.errors import CdcError
from tests.e2e.conftest import Pipelines
from tests.e2e.replica import duck_connect, duck_rows, pg_rows, running_sink, wait_equal
from tests.e2e.test_table_isolation import wait_state

PG = psycopg.Connection[tuple[object, ...]]


@pytest.fixture()
def pipeline(isolated_pipeline: Pipelines, pg: PG) -> tuple[Settings, list[TableRef], str, str]:
    suffix = uuid.uuid4().hex[:8]
    keyless, keyed = f"kl_{suffix}", f"ok_{suffix}"
    pg.execute(f"CREATE TABLE {keyless} (id integer NOT NULL, n integer)")
    pg.execute(f"ALTER TABLE {keyless} REPLICA IDENTITY FULL")
    pg.execute(f"CREATE TABLE {keyed} (id integer PRIMARY KEY, n integer)")
    for table in (keyless, keyed):
        pg.execute(f"INSERT INTO {table} SELECT i, i FROM generate_series(1, 5) i")
    refs = [TableRef("public", keyless), TableRef("public", keyed)]
    return isolated_pipeline("keyless", refs), refs, keyless, keyed


def test_a_keyless_table_stops_alone_and_key_columns_then_resnapshot_bring_it_back(
    pipeline: tuple[Settings, list[TableRef], str, str], pg: PG
) -> None:
    settings, refs, keyless, keyed = pipeline
    with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:

        def same(table: str) -> Callable[[], object]:
            return lambda: wait_equal(
                lambda: pg_rows(pg, table, ["id"]), lambda: duck_rows(duck, table, ["id"]), sink
            )

        same(keyless)()
        same(keyed)()

        pg.execute(f"ALTER TABLE {keyless} ADD COLUMN seen timestamptz DEFAULT now()")
        pg.execute(f"INSERT INTO {keyless} (id, n) VALUES (6, 6)")
        stopped = wait_state(sink, keyless, "stopped")
        assert stopped.reason is not None and "no primary key to match its rows by" in stopped.reason
        assert stopped.fix is not None and "key_columns" in stopped.fix, stopped.fix
        assert f"`cdc tables resnapshot public.{keyless}`" in stopped.fix, stopped.fix

        pg.execute(f"INSERT INTO {keyed} VALUES (6, 6)")
        pg.execute(f"UPDATE {keyed} SET n = 60 WHERE id = 2")
        same(keyed)()  # the other table keeps flowing meanwhile
        assert duck.execute(f"SELECT count(*) FROM {keyless}").fetchone() == (5,), "held, not applied"

        with pytest.raises(CdcError, match="key_columns"):  # no key: no incremental snapshot yet
            tables.resnapshot(sink.settings, f"public.{keyless}")

        keyed_settings = sink.settings.model_copy(update={"key_columns": {f"public.{keyless}": ["id"]}})
        apply_connector(keyed_settings, refs)
        report = tables.resnapshot(keyed_settings, f"public.{keyless}")
        assert "execute-snapshot" in report.done, report
        pg.execute(f"INSERT INTO {keyless} (id, n) VALUES (7, 7)")  # streamed while the snapshot runs
        pg.execute(f"DELETE FROM {keyless} WHERE id = 1")
        same(keyless)()
        wait_state(sink, keyless, "running")
        pg.execute(f"UPDATE {keyless} SET n = 30 WHERE id = 3")  # and it streams again afterwards
        same(keyless)()
        same(keyed)()
