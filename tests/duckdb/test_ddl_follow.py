"""Schema following on an embedded DuckDB, with an in-memory stand-in for PostgreSQL's catalog (the real one
is exercised in tests/e2e/test_ddl.py): renames keep values, defaults are constant or backfilled, refusals
stop the table before any statement ran."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget
from cdc_pipeline.sink.errors import TableStopError
from cdc_pipeline.sink.naming import target_table
from cdc_pipeline.sink.source_catalog import CatalogColumn
from cdc_pipeline.sink.tables_admin import TableState, fix_command
from cdc_pipeline.type_contract import ColumnType

ID = Column("id", "INTEGER", nullable=False, key=True)


@dataclass
class Catalog:
    """PostgreSQL's catalog as the test sets it: live columns and the rows' text values."""

    cols: list[CatalogColumn] = field(default_factory=list)
    rows: dict[str, list[tuple[str | None, ...]]] = field(default_factory=dict)
    asked: int = 0
    evaluated: dict[str, str | None] = field(default_factory=dict)  # attmissingval's text, when it matches
    names: dict[int, tuple[str, str]] = field(default_factory=lambda: {42: ("public", "t")})
    types: dict[str, ColumnType] = field(default_factory=dict)  # by column name; int4 when not set
    excluded: set[str] = field(default_factory=set)  # column names

    def columns(self, schema: str, table: str) -> list[CatalogColumn]:
        self.asked += 1
        return list(self.cols)

    def values(
        self, schema: str, table: str, keys: Sequence[str], column: str
    ) -> Iterator[tuple[str | None, ...]]:
        yield from self.rows[column]

    def has_values(self, schema: str, table: str, column: str) -> bool:
        return any(row[-1] is not None for row in self.rows.get(column, []))

    def missing_value(self, schema: str, table: str, column: str, constant: str) -> str | None:
        return self.evaluated.get(constant, constant.strip("'"))

    def relation_oid(self, schema: str, table: str) -> int | None:
        return next((oid for oid, name in self.names.items() if name == (schema, table)), None)

    def relation_names(self, oids: Sequence[int]) -> dict[int, tuple[str, str]]:
        return {oid: self.names[oid] for oid in oids if oid in self.names}

    def column_types(self, tables: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[Any]]:
        columns = [
            (c.name, self.types.get(c.name, ColumnType("int4", "b")))
            for c in self.cols
            if c.name not in self.excluded
        ]
        return {table: columns for table in tables if table in self.names.values()}

    def exclude(self, columns: Sequence[str]) -> None:
        self.excluded = {c.rsplit(".", 1)[1] for c in columns}


def changes(columns: Sequence[Column], data: dict[str, list[Any]] | None = None) -> TableBatch:
    upserts = pa.table({name: pa.array(values) for name, values in data.items()}) if data else None
    return TableBatch(
        topic="p.public.t",
        source_schema="public",
        source_table="t",
        columns=list(columns),
        key_columns=[c.name for c in columns if c.key],
        upserts=upserts,
    )


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([CatalogColumn("id", 1), CatalogColumn("i", 2)])


@pytest.fixture
def target(tmp_path: Path, catalog: Catalog) -> Iterator[DuckDBTarget]:
    with DuckDBTarget(tmp_path / "replica.duckdb", catalog) as opened:
        opened.begin()
        opened.evolve(changes([ID, Column("i", "INTEGER")]))
        opened.apply(changes([ID, Column("i", "INTEGER")], {"id": [1, 2, 3], "i": [10, 20, 30]}))
        opened.commit()
        yield opened


def evolve(target: DuckDBTarget, columns: Sequence[Column]) -> list[str]:
    target.begin()
    try:
        ddl = target.evolve(changes(columns))
    except BaseException:
        target.rollback()
        raise
    target.commit()
    return ddl


def rows(target: DuckDBTarget, sql: str) -> list[tuple[Any, ...]]:
    return target.cursor().execute(sql).fetchall()


def test_ids_are_recorded_at_creation(target: DuckDBTarget) -> None:
    assert rows(target, "SELECT column_name, attnum FROM _cdc.columns ORDER BY attnum") == [
        ("id", 1),
        ("i", 2),
    ]


def test_an_unchanged_schema_never_asks_the_catalog(target: DuckDBTarget, catalog: Catalog) -> None:
    asked = catalog.asked
    evolve(target, [ID, Column("i", "INTEGER")])
    assert catalog.asked == asked


def test_a_rename_keeps_the_values(target: DuckDBTarget, catalog: Catalog) -> None:
    catalog.cols = [CatalogColumn("id", 1), CatalogColumn("j", 2)]
    ddl = evolve(target, [ID, Column("j", "INTEGER")])
    assert ddl == ['ALTER TABLE "main"."t" RENAME COLUMN "i" TO "j"']
    assert rows(target, "SELECT id, j FROM t ORDER BY id") == [(1, 10), (2, 20), (3, 30)]
    assert rows(target, "SELECT column_name, attnum FROM _cdc.columns ORDER BY attnum") == [
        ("id", 1),
        ("j", 2),
    ]
    assert rows(target, "SELECT change, column_name FROM _cdc.schema_changes") == [("rename", "j")]


def test_a_swap_keeps_the_values(tmp_path: Path) -> None:
    catalog = Catalog([CatalogColumn("id", 1), CatalogColumn("a", 2), CatalogColumn("b", 3)])
    cols = [ID, Column("a", "INTEGER"), Column("b", "VARCHAR")]
    with DuckDBTarget(tmp_path / "swap.duckdb", catalog) as target:
        target.begin()
        target.evolve(changes(cols))
        target.apply(changes(cols, {"id": [1], "a": [5], "b": ["x"]}))
        target.commit()
        catalog.cols = [
            CatalogColumn("id", 1),
            CatalogColumn("b", 2),
            CatalogColumn("a", 3),
            CatalogColumn("c", 4),
        ]
        evolve(target, [ID, Column("b", "INTEGER"), Column("a", "VARCHAR"), Column("c", "INTEGER")])
        assert rows(target, "SELECT id, b, a, c FROM t") == [(1, 5, "x", None)]


def test_a_constant_default_fills_existing_rows(target: DuckDBTarget, catalog: Catalog) -> None:
    catalog.cols.append(CatalogColumn("seven", 3, "7"))
    evolve(target, [ID, Column("i", "INTEGER"), Column("seven", "INTEGER", default_sql="7")])
    assert rows(target, "SELECT DISTINCT seven FROM t") == [(7,)]
    assert rows(target, "SELECT change FROM _cdc.schema_changes") == [("add column",)]


def test_a_volatile_default_is_backfilled_not_guessed(target: DuckDBTarget, catalog: Catalog) -> None:
    catalog.cols.append(CatalogColumn("ts", 3, "now()"))
    catalog.rows["ts"] = [("1", "2026-12-02 13:30:00.123456+00"), ("2", "2026-12-02 13:30:00.123456+00")]
    epoch = "'1970-01-01 00:00:00+00'::TIMESTAMPTZ"  # what Debezium's schema says the default is
    evolve(target, [ID, Column("i", "INTEGER"), Column("ts", "TIMESTAMPTZ", default_sql=epoch)])
    got = rows(target, "SELECT id, epoch_us(ts) FROM t ORDER BY id")
    at = int(datetime(2026, 12, 2, 13, 30, tzinfo=UTC).timestamp()) * 1_000_000 + 123456
    assert got == [(1, at), (2, at), (3, None)]
    assert rows(target, 'SELECT change, "rows" FROM _cdc.schema_changes') == [("backfill", 2)]


def test_a_volatile_default_without_a_key_stops_the_table(tmp_path: Path) -> None:
    catalog = Catalog([CatalogColumn("n", 1)])
    with DuckDBTarget(tmp_path / "nokey.duckdb", catalog) as target:
        target.begin()
        target.evolve(changes([Column("n", "INTEGER")]))
        target.apply(changes([Column("n", "INTEGER")], {"n": [1]}))
        target.commit()
        catalog.cols.append(CatalogColumn("u", 2, "gen_random_uuid()"))
        with pytest.raises(TableStopError, match=r"no primary key.*cdc tables resnapshot public\.t"):
            evolve(target, [Column("n", "INTEGER"), Column("u", "UUID", default_sql="'0'")])
        assert rows(target, "SELECT column_name FROM duckdb_columns() WHERE table_name = 't'") == [("n",)]


def test_an_ambiguous_rename_stops_the_table(target: DuckDBTarget, catalog: Catalog) -> None:
    catalog.cols = [CatalogColumn("id", 1), CatalogColumn("k", 2)]  # the event says j; the catalog already k
    with pytest.raises(TableStopError, match=r"cannot tell safely.*cdc tables resnapshot public\.t"):
        evolve(target, [ID, Column("j", "INTEGER")])
    assert rows(target, "SELECT i FROM t ORDER BY id") == [(10,), (20,), (30,)]


def test_without_a_catalog_columns_evolve_by_name(tmp_path: Path) -> None:
    with DuckDBTarget(tmp_path / "plain.duckdb") as target:
        evolve(target, [ID, Column("i", "INTEGER")])
        assert evolve(target, [ID, Column("j", "INTEGER")]) == [
            'ALTER TABLE "main"."t" ADD COLUMN "j" INTEGER'
        ]


def test_a_renamed_table_is_found_by_its_oid(target: DuckDBTarget, catalog: Catalog) -> None:
    target.begin()
    target.record_table(changes([ID]), AppliedCounts(0, 0))
    target.commit()
    assert target.renamed_tables() == {}
    catalog.names[42] = ("public", "t2")
    [(table, reason)] = target.renamed_tables().items()
    assert table == "public.t"
    assert "renamed to public.t2" in reason and "replace public.t with public.t2" in reason, reason
    assert "`cdc connectors apply`" in reason


def test_a_swap_with_nothing_else_is_followed(tmp_path: Path) -> None:
    catalog = Catalog([CatalogColumn("id", 1), CatalogColumn("a", 2), CatalogColumn("b", 3)])
    cols = [ID, Column("a", "INTEGER"), Column("b", "INTEGER")]
    with DuckDBTarget(tmp_path / "swap2.duckdb", catalog) as target:
        target.begin()
        target.evolve(changes(cols))
        target.apply(changes(cols, {"id": [1], "a": [5], "b": [6]}))
        target.commit()
        catalog.cols = [CatalogColumn("id", 1), CatalogColumn("b", 2), CatalogColumn("a", 3)]
        evolve(target, [ID, Column("b", "INTEGER"), Column("a", "INTEGER")])  # same names, other order
        assert rows(target, "SELECT id, a, b FROM t") == [(1, 6, 5)]


def test_a_dropped_column_back_under_its_name_is_refused(target: DuckDBTarget, catalog: Catalog) -> None:
    catalog.cols = [CatalogColumn("id", 1), CatalogColumn("x", 3)]
    evolve(target, [ID, Column("x", "INTEGER")])  # i dropped, x added: no rename (i's attnum 2 is gone)
    catalog.cols = [CatalogColumn("id", 1), CatalogColumn("x", 3), CatalogColumn("i", 4)]
    with pytest.raises(TableStopError, match="which DuckDB keeps under that name"):
        evolve(target, [ID, Column("x", "INTEGER"), Column("i", "INTEGER")])


def test_a_constant_default_changed_since_is_backfilled(target: DuckDBTarget, catalog: Catalog) -> None:
    """ADD COLUMN ... DEFAULT now(), then SET DEFAULT '2030-01-01': existing rows hold the ALTER's now()."""
    later = "'2030-01-01 00:00:00+00'::timestamp with time zone"
    catalog.cols.append(CatalogColumn("ts", 3, later))
    catalog.evaluated[later] = None  # attmissingval is not that constant
    catalog.rows["ts"] = [("1", "2026-12-02 13:30:00+00")]
    evolve(target, [ID, Column("i", "INTEGER"), Column("ts", "TIMESTAMPTZ", default_sql=f"{later}")])
    assert rows(target, 'SELECT change, "rows" FROM _cdc.schema_changes') == [("backfill", 1)]
    assert rows(target, "SELECT id FROM t WHERE ts IS NOT NULL") == [(1,)]


def test_a_volatile_default_of_a_type_text_cannot_carry_stops_the_table(
    target: DuckDBTarget, catalog: Catalog
) -> None:
    catalog.cols.append(CatalogColumn("b", 3, "gen_random_bytes(4)"))
    with pytest.raises(TableStopError, match=r"cannot backfill a BLOB column exactly.*cdc tables resnapshot"):
        evolve(target, [ID, Column("i", "INTEGER"), Column("b", "BLOB")])


def test_values_under_a_dropped_default_are_backfilled(target: DuckDBTarget, catalog: Catalog) -> None:
    """ADD COLUMN ... DEFAULT gen_random_uuid(), then DROP DEFAULT: no default anywhere, rows hold values."""
    catalog.cols.append(CatalogColumn("u", 3))
    catalog.rows["u"] = [("1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")]
    evolve(target, [ID, Column("i", "INTEGER"), Column("u", "UUID")])
    assert rows(target, "SELECT id, CAST(u AS VARCHAR) FROM t WHERE u IS NOT NULL") == [
        (1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    ]
    catalog.cols.append(CatalogColumn("plain", 4))  # added without a default: nothing to read
    evolve(target, [ID, Column("i", "INTEGER"), Column("u", "UUID"), Column("plain", "INTEGER")])
    assert rows(target, "SELECT change, column_name FROM _cdc.schema_changes ORDER BY column_name") == [
        ("add column", "plain"),
        ("backfill", "u"),
    ]


TSQUERY = ColumnType("tsquery", "b")


def test_a_new_table_with_a_refused_column_stops_before_it_is_created(tmp_path: Path) -> None:
    catalog = Catalog([CatalogColumn("id", 1), CatalogColumn("q", 2)], types={"q": TSQUERY})
    with DuckDBTarget(tmp_path / "replica.duckdb", catalog) as opened:
        opened.begin()
        with pytest.raises(TableStopError) as stop:
            opened.evolve(changes([ID]))  # Debezium dropped q from the event: only the catalog shows it
        opened.rollback()
        assert not opened.existing_columns(target_table("public", "t"))
    reason = str(stop.value)
    assert "table public.t:" in reason and 'column "q"' in reason and "tsquery" in reason, reason
    assert '"public"."t" ALTER COLUMN "q" TYPE text' in reason and "public.t.q to exclude_columns" in reason
    stopped = TableState("public.t", "main.t", "stopped", reason, None, None, None, None)
    assert fix_command(stopped) == "cdc tables resnapshot public.t"


def test_a_refused_column_added_to_a_running_table_stops_it(target: DuckDBTarget, catalog: Catalog) -> None:
    target.begin()
    target.record_table(changes([ID]), AppliedCounts(0, 0))
    target.commit()
    assert target.refused_tables() == {}
    catalog.cols.append(CatalogColumn("q", 3))
    catalog.types["q"] = TSQUERY
    [(table, reason)] = target.refused_tables().items()
    assert table == "public.t" and 'column "q" cannot replicate exactly: tsquery' in reason, reason
    target.exclude_columns(["public.t.q"])  # cdc.yaml's exclusions, as `cdc tables resnapshot` hands them
    assert target.refused_tables() == {}


def test_a_changed_schema_with_a_refused_array_stops_the_table(
    target: DuckDBTarget, catalog: Catalog
) -> None:
    catalog.cols.append(CatalogColumn("n", 3))
    catalog.types["n"] = ColumnType("_numeric", "b", element="numeric", element_typtype="b", dimensions=1)
    with pytest.raises(TableStopError, match="array of numeric"):
        evolve(target, [ID, Column("i", "INTEGER"), Column("n", "DECIMAL(38,18)[]")])
    assert [c.name for c in target.existing_columns(target_table("public", "t"))] == ["id", "i"]
