"""The type contract: one outcome per PostgreSQL type, README's table is the contract, refusals named."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import evaluate
from cdc_pipeline.connectors.source_db import SourceFacts, TableFacts
from cdc_pipeline.type_contract import BY_TYPNAME, CONTRACT, ColumnType, Outcome, refusal

README = Path(__file__).resolve().parents[2] / "README.md"

# Every type of PostgreSQL 15's data-type chapter (chapter 8) that a table column can have, by pg_type name.
CHAPTER_8 = {
    "int2", "int4", "int8", "numeric", "float4", "float8", "money",
    "varchar", "bpchar", "text", "char", "name", "bytea",
    "date", "time", "timetz", "timestamp", "timestamptz", "interval", "bool",
    "point", "line", "lseg", "box", "path", "polygon", "circle",
    "inet", "cidr", "macaddr", "macaddr8", "bit", "varbit", "tsvector", "tsquery",
    "uuid", "xml", "json", "jsonb", "jsonpath",
    "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
    "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange", "datemultirange",
    "oid", "regclass", "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper",
    "regoperator", "regproc", "regprocedure", "regrole", "regtype", "xid", "xid8", "cid", "tid",
    "pg_lsn", "pg_snapshot", "txid_snapshot",
}  # fmt: skip


def test_the_contract_has_exactly_one_row_per_type_of_the_chapter() -> None:
    names = [row.typname for row in CONTRACT]
    assert len(names) == len(set(names)), "a type has two rows"
    assert set(names) == CHAPTER_8


def test_every_row_has_one_outcome_and_a_duckdb_type_unless_refused() -> None:
    for row in CONTRACT:
        assert (row.duckdb == "") == (row.outcome is Outcome.REFUSED), row
        assert row.outcome is not Outcome.REFUSED or row.notes, f"{row.typname}: a refusal needs its reason"


def readme_type_rows() -> dict[str, tuple[str, str]]:
    text = README.read_text()
    section = text.split("### Type contract", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([a-z0-9_]+)`.*", cells[0]) if len(cells) >= 4 else None
        if match:
            rows[match.group(1)] = (cells[1], cells[2])
    return rows


def test_the_readme_table_is_the_contract_row_for_row() -> None:
    rows = readme_type_rows()
    assert set(rows) == set(BY_TYPNAME)
    for name, (duckdb, outcome) in rows.items():
        row = BY_TYPNAME[name]
        assert (duckdb.strip("`") or "", outcome) == (row.duckdb or "—", row.outcome.value), name


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        (ColumnType("int4", "b"), None),
        (ColumnType("mood", "e"), None),
        (ColumnType("numeric", "b"), None),
        (ColumnType("tsquery", "b"), "tsquery: Debezium 3.7 drops the column (unknown type)"),
        (ColumnType("name", "b"), "name: streamed changes carry NULL for name columns (Debezium 3.7)"),
        (ColumnType("varbit", "b"), "bit varying(n): Debezium drops leading zero bits and the length"),
        (ColumnType("comp", "c"), "composite type comp: Debezium 3.7 drops the column (unknown type)"),
        (
            ColumnType("hstore2", "b"),
            "type hstore2 is not in the type contract (Debezium 3.7 drops the column (unknown type))",
        ),
        (ColumnType("_int4", "b", "int4", "b", 1), None),
        (ColumnType("_mood", "b", "mood", "e", 1), "array of enum mood: Debezium 3.7 sends NULL for it"),
        (
            ColumnType("_tsvector", "b", "tsvector", "b", 1),
            "array of tsvector: Debezium 3.7 drops the column or sends NULL for it",
        ),
        (
            ColumnType("_int4", "b", "int4", "b", 2),
            "2-dimensional array: Debezium 3.7 sends NULL elements "
            "or Java object text for multi-dimensional arrays",
        ),
        (
            ColumnType("_money", "b", "money", "b", 1),
            "array of money: Debezium 3.7 drops the column or sends NULL for it",
        ),
        (
            ColumnType("_bit", "b", "bit", "b", 1),
            "array of bit: Debezium 3.7 drops the column or sends NULL for it",
        ),
        (
            ColumnType("_pos", "b", "pos", "d", 1),
            "array of domain pos: Debezium 3.7 drops the column (unknown type)",
        ),
    ],
)
def test_refusal_reasons(column: ColumnType, reason: str | None) -> None:
    assert refusal(column) == reason


ZOO = TableRef("public", "Zoo")
FACTS = SourceFacts(
    wal_level="logical",
    user="cdc",
    can_replicate=True,
    max_replication_slots=10,
    tables=[
        TableFacts(
            ZOO,
            True,
            has_primary_key=True,
            columns=(("id", ColumnType("int4", "b")), ("q", ColumnType("tsquery", "b"))),
        )
    ],
)


def test_preflight_refuses_a_column_of_a_refused_type_naming_table_column_reason_and_fix() -> None:
    assert [p.line() for p in evaluate(FACTS, "slot", {})] == [
        'column public."Zoo".q cannot replicate exactly: tsquery: Debezium 3.7 drops the column (unknown '
        "type); fix: add public.Zoo.q to exclude_columns, or change its type, e.g. "
        '`ALTER TABLE public."Zoo" ALTER COLUMN q TYPE text;`'
    ]
    assert all(p.blocking for p in evaluate(FACTS, "slot", {}))


def test_an_excluded_column_is_not_refused() -> None:
    assert evaluate(FACTS, "slot", {}, ["public.Zoo.q"]) == []
    assert evaluate(replace(FACTS, tables=[replace(FACTS.tables[0], columns=())]), "slot", {}) == []


def test_bc_values_in_the_statistics_warn_with_the_command_that_restreams_them() -> None:
    facts = replace(FACTS, tables=[replace(FACTS.tables[0], columns=(), bc_columns=("born",))])
    [problem] = evaluate(facts, "slot", {})
    assert not problem.blocking and problem.check == "bc_values"
    assert problem.line() == (
        'column public."Zoo".born holds values before year 1 AD (per PostgreSQL\'s statistics): Debezium 3.7 '
        "sends them as AD in the initial snapshot (streamed changes are exact); fix: once the snapshot is "
        "done, run `UPDATE public.\"Zoo\" SET born = born WHERE born < '0001-01-01';` so those rows stream "
        "again with their exact values"
    )
    assert evaluate(facts, "slot", {}, ["public.Zoo.born"]) == []


def test_timestamps_beyond_debeziums_range_in_the_statistics_are_refused() -> None:
    facts = replace(FACTS, tables=[replace(FACTS.tables[0], columns=(), far_columns=("at",))])
    [problem] = evaluate(facts, "slot", {})
    assert problem.blocking and problem.check == "column_type"
    assert 'public."Zoo".at holds timestamps from year 294247 on' in problem.line()
    assert "sends them as 'infinity' or a wrapped value" in problem.line()
    assert evaluate(facts, "slot", {}, ["public.Zoo.at"]) == []
