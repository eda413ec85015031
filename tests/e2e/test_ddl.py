"""DDL on the real stack keeps values right, under load: a constant default reaches existing rows, a
volatile default is backfilled from PostgreSQL (never Debezium's guess), a renamed column keeps its values,
an ambiguous rename stops its table with `cdc tables resnapshot` as the fix, a column of a refused type
added later stops its table with the fix, and int -> bigint under a
writer ends equal.

One connector and one sink for the module (each test has its own table, so one stopped table cannot hide
another test's result); every workload is bounded in rows and time.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest

import duckdb
from cdc_pipeline import tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import PreflightError
from cdc_pipeline.sample import postgres_dsn
from tests.e2e.conftest import pipeline_settings
from tests.e2e.replica import (
    RunningSink,
    duck_connect,
    duck_rows,
    eventually,
    pg_rows,
    running_sink,
    wait_equal,
)

PG = psycopg.Connection[tuple[object, ...]]
TABLES = ("const", "vol", "ren", "amb", "wid")
ROWS = 400


@dataclass
class Pipeline:
    settings: Settings
    sink: RunningSink
    pg: PG
    duck: duckdb.DuckDBPyConnection
    names: dict[str, str]  # short name -> the table's real name

    def same(self, short: str, timeout_s: float = 90.0) -> None:
        table = self.names[short]
        wait_equal(
            lambda: pg_rows(self.pg, table, ["id"]),
            lambda: duck_rows(self.duck, table, ["id"]),
            self.sink,
            timeout_s,
        )

    def state(self, short: str) -> tuple[str, str | None]:
        row = self.duck.execute(
            "SELECT state, last_error FROM _cdc.tables WHERE source_table = ?",
            [f"public.{self.names[short]}"],
        ).fetchone()
        return (str(row[0]), row[1]) if row else ("absent", None)

    def changes(self, short: str) -> list[tuple[str, str, int | None]]:
        rows = self.duck.execute(
            'SELECT change, column_name, "rows" FROM _cdc.schema_changes WHERE source_table = ? '
            "ORDER BY changed_at, column_name",
            [f"public.{self.names[short]}"],
        ).fetchall()
        return [(str(c), str(n), r) for c, n, r in rows]


@pytest.fixture(scope="module")
def pipeline(stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    suffix = uuid.uuid4().hex[:8]
    settings = pipeline_settings(stack_settings, f"e2e_ddl_{suffix}", tmp_path_factory.mktemp("ddl"))
    names = {short: f"ddl_{short}_{suffix}" for short in TABLES}
    with psycopg.connect(postgres_dsn(stack_settings), autocommit=True) as pg:
        for table in names.values():
            pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n integer, note text)")
            pg.execute(f"INSERT INTO {table} SELECT i, i, 'note ' || i FROM generate_series(1, {ROWS}) i")
        apply_connector(settings, [TableRef("public", t) for t in names.values()])
        try:
            with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
                pipe = Pipeline(settings, sink, pg, duck, names)
                for short in TABLES:
                    pipe.same(short)
                yield pipe
        finally:
            with ConnectClient(settings.connect_url) as client:
                client.delete(settings.connector_name)


class Writer:
    """A bounded writer on its own connection: updates and inserts until stopped (at most ``max_s``)."""

    def __init__(
        self, settings: Settings, table: str, statements: Callable[[random.Random, int], str]
    ) -> None:
        self._settings, self._table, self._statements = settings, table, statements
        self._stop = threading.Event()
        self.done = 0
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name=f"writer {table}", daemon=True)

    def _run(self, max_s: float = 30.0) -> None:
        rng = random.Random(7)
        deadline = time.monotonic() + max_s
        try:
            with psycopg.connect(postgres_dsn(self._settings), autocommit=True) as conn:
                while not self._stop.is_set() and time.monotonic() < deadline:
                    conn.execute(self._statements(rng, self.done))
                    self.done += 1
                    time.sleep(0.002)
        except BaseException as exc:
            self.errors.append(exc)

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        assert not self.errors, f"the writer failed: {self.errors[0]}"


def updates_and_inserts(table: str, column: str = "n") -> Callable[[random.Random, int], str]:
    def statement(rng: random.Random, i: int) -> str:
        if i % 4 == 0:
            return f"INSERT INTO {table} (id, {column}) VALUES ({100_000 + i}, {i})"
        return f"UPDATE {table} SET {column} = {column} + 1 WHERE id = {rng.randint(1, ROWS)}"

    return statement


def test_a_constant_default_reaches_existing_rows(pipeline: Pipeline) -> None:
    table = pipeline.names["const"]
    with Writer(pipeline.settings, table, updates_and_inserts(table)) as writer:
        eventually("the writer wrote", lambda: writer.done > 50, 30)
        pipeline.pg.execute(
            f"ALTER TABLE {table} ADD COLUMN seven integer DEFAULT 7, ADD COLUMN t text DEFAULT 'x y'"
        )
        eventually("the writer wrote after the ALTER", lambda: writer.done > 300, 30)
    pipeline.same("const")
    [(untouched,)] = pipeline.duck.execute(
        f"SELECT count(*) FROM {table} WHERE seven = 7 AND t = 'x y'"
    ).fetchall()
    assert untouched >= ROWS  # every row that existed before the ALTER, and the ones inserted since
    assert ("add column", "seven", None) in pipeline.changes("const")
    # The catalog's DEFAULT changed before any event showed the new columns: existing rows hold what the
    # ADD COLUMN gave them (now(); NULL), not the later constant, so they are backfilled.
    with pipeline.pg.transaction():  # first: a volatile default rewrites the table (no attmissingval kept)
        pipeline.pg.execute(f"ALTER TABLE {table} ADD COLUMN gone uuid DEFAULT gen_random_uuid()")
        pipeline.pg.execute(f"ALTER TABLE {table} ALTER COLUMN gone DROP DEFAULT")
        pipeline.pg.execute(f"ALTER TABLE {table} ADD COLUMN since timestamptz DEFAULT now()")
        pipeline.pg.execute(f"ALTER TABLE {table} ALTER COLUMN since SET DEFAULT '2030-01-01 00:00+00'")
        pipeline.pg.execute(f"ALTER TABLE {table} ADD COLUMN later integer")
        pipeline.pg.execute(f"ALTER TABLE {table} ALTER COLUMN later SET DEFAULT 5")
        pipeline.pg.execute(f"ALTER TABLE {table} ADD COLUMN pct text DEFAULT '50%'")
    pipeline.pg.execute(f"UPDATE {table} SET n = -1 WHERE id = 1")
    pipeline.same("const")
    changes = pipeline.changes("const")
    assert ("add column", "pct", None) in changes, changes
    assert {c for change, c, _ in changes if change == "backfill"} == {"since", "later", "gone"}, changes


def test_a_volatile_default_is_backfilled_from_postgres(pipeline: Pipeline) -> None:
    table = pipeline.names["vol"]
    pipeline.pg.execute(f"CREATE SEQUENCE {table}_seq")
    with Writer(pipeline.settings, table, updates_and_inserts(table)) as writer:
        eventually("the writer wrote", lambda: writer.done > 50, 30)
        pipeline.pg.execute(
            f"ALTER TABLE {table} ADD COLUMN created timestamptz DEFAULT now(), "
            "ADD COLUMN u uuid DEFAULT gen_random_uuid(), ADD COLUMN c timestamp DEFAULT clock_timestamp(), "
            "ADD COLUMN r double precision DEFAULT random(), "
            f"ADD COLUMN s bigint DEFAULT nextval('{table}_seq')"
        )
        eventually("the writer wrote after the ALTER", lambda: writer.done > 300, 30)
        # Rows updated after the ALTER carry their real (newer) value: they must win over the backfill.
        pipeline.pg.execute(f"UPDATE {table} SET u = gen_random_uuid(), r = -1 WHERE id <= 20")
    pipeline.same("vol")
    guessed = pipeline.duck.execute(
        f"SELECT count(*) FROM {table} WHERE created < '2000-01-01' OR c < '2000-01-01' "
        "OR u = '00000000-0000-0000-0000-000000000000' OR created IS NULL OR u IS NULL OR s IS NULL"
    ).fetchone()
    assert guessed == (0,), "no existing row holds Debezium's guessed default"
    backfills = {(column, rows) for change, column, rows in pipeline.changes("vol") if change == "backfill"}
    assert {c for c, _ in backfills} == {"created", "u", "c", "r", "s"}, backfills
    assert all(rows is not None and rows >= ROWS for _, rows in backfills), backfills
    last = pipeline.duck.execute(
        "SELECT last_schema_change FROM _cdc.tables WHERE source_table = ?", [f"public.{table}"]
    ).fetchone()
    assert last is not None and str(last[0]).startswith("backfill "), last


def test_a_renamed_column_keeps_its_values(pipeline: Pipeline) -> None:
    table = pipeline.names["ren"]
    with Writer(pipeline.settings, table, updates_and_inserts(table)) as writer:
        eventually("the writer wrote", lambda: writer.done > 50, 30)
        pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN note TO memo")
        eventually("the writer wrote after the rename", lambda: writer.done > 200, 30)
    pipeline.same("ren")  # duck_rows compares every DuckDB column: a stale `note` would differ
    # Renamed, then a new column takes the old name, before any event shows the first change.
    pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN n TO n_renamed")
    pipeline.pg.execute(f"ALTER TABLE {table} ADD COLUMN n text DEFAULT 'fresh'")
    pipeline.pg.execute(f"UPDATE {table} SET n_renamed = -1 WHERE id = 1")
    pipeline.same("ren")
    with pipeline.pg.transaction():  # two columns swap names: same names, other places
        pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN memo TO swap_tmp")
        pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN n TO memo")
        pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN swap_tmp TO n")
    pipeline.pg.execute(f"UPDATE {table} SET n_renamed = -2 WHERE id = 2")
    pipeline.same("ren")
    changes = pipeline.changes("ren")
    assert ("rename", "memo", None) in changes and ("rename", "n_renamed", None) in changes, changes
    assert pipeline.state("ren")[0] == "running"


def test_an_ambiguous_rename_stops_the_table_until_resnapshot(pipeline: Pipeline) -> None:
    table = pipeline.names["amb"]
    with (
        pipeline.pg.transaction()
    ):  # the update's event names `mid`; by the time it is read the catalog says `last`
        pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN note TO mid")
        pipeline.pg.execute(f"UPDATE {table} SET n = -1 WHERE id = 1")
        pipeline.pg.execute(f"ALTER TABLE {table} RENAME COLUMN mid TO last")
    eventually("the table stopped", lambda: pipeline.state("amb")[0] == "stopped", 90)
    error = pipeline.state("amb")[1] or ""
    assert "cannot tell safely" in error and f"cdc tables resnapshot public.{table}" in error, error
    assert pipeline.duck.execute(f"SELECT note FROM {table} WHERE id = 2").fetchone() == ("note 2",), "kept"
    report = tables.resnapshot(pipeline.sink.settings, f"public.{table}")  # loaded from PostgreSQL
    assert report.done == f"loaded public.{table} from PostgreSQL", report
    pipeline.same("amb", timeout_s=120)
    eventually("the table runs again", lambda: pipeline.state("amb")[0] == "running", 60)


def test_int_to_bigint_under_load_ends_equal(pipeline: Pipeline) -> None:
    table = pipeline.names["wid"]
    with Writer(pipeline.settings, table, updates_and_inserts(table)) as writer:
        eventually("the writer wrote", lambda: writer.done > 100, 30)
        pipeline.pg.execute(f"ALTER TABLE {table} ALTER COLUMN n TYPE bigint")
        eventually("the writer wrote after the ALTER", lambda: writer.done > 400, 30)
        pipeline.pg.execute(f"INSERT INTO {table} (id, n) VALUES (-1, 1099511627776)")
    pipeline.same("wid")
    types = dict(
        pipeline.duck.execute(
            f"SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '{table}'"
        ).fetchall()
    )
    assert types["n"] == "BIGINT"
    assert pipeline.state("wid")[0] == "running"


def test_a_renamed_table_stops_with_the_fix_and_apply_names_it(
    stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Debezium drops a renamed table's changes (the publication keeps it by oid, table.include.list names
    the old name): the sink stops the stale copy naming the fix, and the next apply's preflight names it."""
    suffix = uuid.uuid4().hex[:8]
    old, new = f"ddl_old_{suffix}", f"ddl_new_{suffix}"
    settings = pipeline_settings(
        stack_settings, f"e2e_ddlt_{suffix}", tmp_path_factory.mktemp("ddlt"), sink_table_check_s=1.0
    )
    with psycopg.connect(postgres_dsn(stack_settings), autocommit=True) as pg:
        pg.execute(f"CREATE TABLE {old} (id integer PRIMARY KEY, n integer)")
        pg.execute(f"INSERT INTO {old} SELECT i, i FROM generate_series(1, 50) i")
        apply_connector(settings, [TableRef("public", old)])
        try:
            with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
                wait_equal(lambda: pg_rows(pg, old, ["id"]), lambda: duck_rows(duck, old, ["id"]), sink)
                pg.execute(f"ALTER TABLE {old} RENAME TO {new}")
                pg.execute(f"INSERT INTO {new} VALUES (51, 51)")
                pg.execute(f"UPDATE {new} SET n = -1 WHERE id = 1")

                def state() -> tuple[object, ...] | None:
                    return duck.execute(
                        "SELECT state, last_error FROM _cdc.tables WHERE source_table = ?", [f"public.{old}"]
                    ).fetchone()

                eventually("the renamed table stopped", lambda: (state() or ("",))[0] == "stopped", 60)
                reason = str((state() or ("", ""))[1])
                assert f"renamed to public.{new}" in reason, reason
                assert f"replace public.{old} with public.{new}" in reason, reason
                assert "cdc connectors apply" in reason, reason

                with pytest.raises(PreflightError, match=f"publication holds public.{new}"):
                    apply_connector(settings, [TableRef("public", old)])
                apply_connector(settings, [TableRef("public", new)])  # the fix the messages name
                wait_equal(lambda: pg_rows(pg, new, ["id"]), lambda: duck_rows(duck, new, ["id"]), sink, 120)
        finally:
            with ConnectClient(settings.connect_url) as client:
                client.delete(settings.connector_name)


def test_a_refused_column_added_later_stops_its_table_with_the_fix(
    stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The preflight never sees a column added after the start. Debezium drops a tsquery column from the
    events (only the catalog shows it: the periodic check stops the table) and sends a numeric[] column
    (NULL for NaN): that table stops at the new schema, before a row with the column lands. Changing the
    type and the re-snapshot the reason names make the first one equal again."""
    suffix = uuid.uuid4().hex[:8]
    dropped, nulled = f"ddl_tsq_{suffix}", f"ddl_numarr_{suffix}"
    settings = pipeline_settings(
        stack_settings, f"e2e_ddlr_{suffix}", tmp_path_factory.mktemp("ddlr"), sink_table_check_s=1.0
    )
    with psycopg.connect(postgres_dsn(stack_settings), autocommit=True) as pg:
        for table in (dropped, nulled):
            pg.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, n integer)")
            pg.execute(f"INSERT INTO {table} SELECT i, i FROM generate_series(1, 50) i")
        apply_connector(settings, [TableRef("public", dropped), TableRef("public", nulled)])
        try:
            with running_sink(settings) as sink, duck_connect(settings.duckdb_file) as duck:
                for table in (dropped, nulled):
                    wait_equal(
                        lambda t=table: pg_rows(pg, t, ["id"]),
                        lambda t=table: duck_rows(duck, t, ["id"]),
                        sink,
                    )

                def state(table: str) -> tuple[str, str]:
                    row = duck.execute(
                        "SELECT state, last_error FROM _cdc.tables WHERE source_table = ?",
                        [f"public.{table}"],
                    ).fetchone()
                    return (str(row[0]), str(row[1])) if row else ("absent", "")

                pg.execute(f"ALTER TABLE {dropped} ADD COLUMN q tsquery")
                pg.execute(f"UPDATE {dropped} SET q = 'fat & rat', n = -n WHERE id <= 10")
                pg.execute(f"ALTER TABLE {nulled} ADD COLUMN a numeric[]")
                pg.execute(f"UPDATE {nulled} SET a = ARRAY['NaN'::numeric, 1.5], n = -n WHERE id <= 10")
                for table, why in (
                    (dropped, 'column "q" cannot replicate exactly: tsquery'),
                    (nulled, 'column "a" cannot replicate exactly: array of numeric'),
                ):
                    eventually(f"{table} stopped", lambda t=table: state(t)[0] == "stopped", 60)
                    reason = state(table)[1]
                    assert f"table public.{table}:" in reason and why in reason, reason
                    assert f"cdc tables resnapshot public.{table}" in reason, reason
                    assert f"public.{table}.{'q' if table == dropped else 'a'} to exclude_columns" in reason
                columns = {
                    str(name)
                    for (name,) in duck.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [nulled]
                    ).fetchall()
                }
                assert columns == {"id", "n"}, "no column of NULLs landed for the numeric[]"
                listed = {t.source_table: t for t in tables.list_tables(sink.settings).tables}
                assert listed[f"public.{dropped}"].fix == f"cdc tables resnapshot public.{dropped}"

                pg.execute(f"ALTER TABLE {dropped} ALTER COLUMN q TYPE text")  # the fix the reason names
                tables.resnapshot(sink.settings, f"public.{dropped}")
                wait_equal(
                    lambda: pg_rows(pg, dropped, ["id"]), lambda: duck_rows(duck, dropped, ["id"]), sink, 120
                )
                assert state(dropped)[0] == "running"
                assert duck.execute(f"SELECT q FROM {dropped} WHERE id = 1").fetchone() == ("'fat' & 'rat'",)
        finally:
            with ConnectClient(settings.connect_url) as client:
                client.delete(settings.connector_name)
