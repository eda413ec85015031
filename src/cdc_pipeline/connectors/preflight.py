"""Checks that run before a connector is applied, so a problem shows as a message and its fix, not as a
FAILED task with a Java stack trace.

Each check is a pure function of :class:`SourceFacts` (gathered by :mod:`.source_db`) and returns the problems
it finds. A blocking problem stops ``apply``; a warning is shown and applied anyway.

1. ``wal_level`` must be ``logical`` (pgoutput needs it).
2. The user needs the REPLICATION attribute (or superuser) to open a replication slot.
3. Every listed table exists (names are case-sensitive).
4. Every table's updates and deletes must be usable: a primary key with the default replica identity, or
   REPLICA IDENTITY FULL / USING INDEX. Otherwise PostgreSQL refuses UPDATE and DELETE on the table once it is
   in the publication. A key override (``key_columns``) makes it a warning: the stream has a key, but the
   source still needs the replica identity for updates and deletes.
5. Every captured column's type lands exact (:mod:`cdc_pipeline.type_contract`): a column of a refused type
   (Debezium drops it, or sends NULL or a wrong value for it) blocks, naming table, column and reason. The
   running sink checks columns added later the same way (``sink/refused_columns.py``).
6. A replication slot is free: our slot exists already, or fewer than ``max_replication_slots`` are in use.
7. No two sources share a Kafka topic or a DuckDB table, none lands in the bookkeeping schema ``_cdc``, and
   no table has columns differing only in case (:mod:`.name_collisions`).
8. A whole schema (``public.*``) exists; every table it holds today is checked like a listed one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import name_collisions
from cdc_pipeline.connectors.model import TableRef, column_key, connector_config
from cdc_pipeline.connectors.problem import Problem, ident
from cdc_pipeline.connectors.source_db import SourceFacts, TableFacts, gather_facts
from cdc_pipeline.errors import CdcError
from cdc_pipeline.type_contract import refusal

__all__ = ["PreflightError", "PreflightReport", "Problem", "check", "evaluate", "ident", "run_preflight"]


class PreflightError(CdcError):
    """One or more blocking preflight problems, each with its fix: one problem is one line, several are
    listed one per line."""

    def __init__(self, connector: str, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(f"preflight for connector {connector} failed: {self.problems[0].line()}")
            return
        lines = "\n".join(f"  - {p.line()}" for p in self.problems)
        super().__init__(f"preflight for connector {connector} failed:\n{lines}")


def evaluate(
    facts: SourceFacts,
    slot: str,
    key_columns: Mapping[str, list[str]],
    excluded_columns: Sequence[str] = (),
    topic_prefix: str = "dbserver1",
) -> list[Problem]:
    """Every problem the facts show, blocking ones first (``excluded_columns``: schema.table.column)."""
    existing = [t.table for t in facts.tables if t.exists and not t.table.is_whole_schema]
    problems = [
        *_wal_level(facts),
        *_replication(facts),
        *(p for t in facts.tables for p in _table(t, key_columns)),
        *(p for t in facts.tables for p in _column_types(t, excluded_columns)),
        *name_collisions.topic_collisions(existing, topic_prefix),
        *name_collisions.duckdb_collisions(existing),
        *name_collisions.bookkeeping_collisions([t.table for t in facts.tables]),
        *name_collisions.quoted_names(existing),
        *(
            p
            for t in facts.tables
            for p in name_collisions.column_collisions(t.table, [c for c, _ in t.columns], excluded_columns)
        ),
        *(p for t in facts.tables for p in _bc_values(t, excluded_columns)),
        *(p for t in facts.tables for p in _far_timestamps(t, excluded_columns)),
        *_slots(facts, slot),
    ]
    return sorted(problems, key=lambda p: not p.blocking)


def _wal_level(facts: SourceFacts) -> list[Problem]:
    if facts.wal_level == "logical":
        return []
    return [
        Problem(
            "wal_level",
            f"wal_level is {facts.wal_level!r}, logical decoding needs 'logical'",
            "run `ALTER SYSTEM SET wal_level = logical;` (or set it in postgresql.conf), restart PostgreSQL",
        )
    ]


def _replication(facts: SourceFacts) -> list[Problem]:
    if facts.can_replicate:
        return []
    return [
        Problem(
            "replication",
            f"user {facts.user} lacks the REPLICATION privilege Debezium needs for a replication slot",
            f"as a superuser run `ALTER ROLE {ident(facts.user)} WITH REPLICATION;`",
        )
    ]


def _table(facts: TableFacts, key_columns: Mapping[str, list[str]]) -> list[Problem]:
    table = facts.table
    if table.is_whole_schema:
        return (
            []
            if facts.exists
            else [
                Problem(
                    "table",
                    f"schema {table.schema} does not exist (names are case-sensitive)",
                    f"create it (`CREATE SCHEMA {ident(table.schema)};`), "
                    f"or remove {table.text} from the "
                    "table list",
                )
            ]
        )
    if not facts.exists and facts.renamed_to is not None:
        return [
            Problem(
                "table",
                f"table {table.qualified} does not exist; the connector's publication holds "
                f"{facts.renamed_to} instead, so it was probably renamed (ALTER TABLE ... RENAME TO)",
                f"in cdc.yaml `tables` replace {table.qualified} with {facts.renamed_to} and run "
                f"`cdc connectors apply` again ({facts.renamed_to} is then snapshotted anew)",
            )
        ]
    if not facts.exists:
        return [
            Problem(
                "table",
                f"table {table.text} does not exist (names are case-sensitive)",
                f"create it, or remove {table.text} from the table list",
            )
        ]
    alter = f"`ALTER TABLE {ident(table.schema)}.{ident(table.table)} REPLICA IDENTITY FULL;`"
    override = key_columns.get(table.text)
    usable = facts.replica_identity in ("f", "i") or (facts.replica_identity == "d" and facts.has_primary_key)
    if not usable:
        why = "REPLICA IDENTITY NOTHING" if facts.replica_identity == "n" else "no primary key"
        return [
            Problem(
                "replica_identity",
                f"table {table.text} has {why}: once published, PostgreSQL refuses its UPDATE and DELETE"
                + (f" (key override {','.join(override)} only keys the stream)" if override else ""),
                f"run {alter}"
                + ("" if override else f", or add a primary key, or set key_columns for {table.text}"),
                blocking=override is None,
            )
        ]
    if override and facts.replica_identity != "f":
        return [
            Problem(
                "replica_identity",
                f"table {table.text} is keyed by {','.join(override)}, but deletes carry only the "
                "replica identity's columns",
                f"run {alter} so deletes carry the key columns",
                blocking=False,
            )
        ]
    return []


def _column_types(facts: TableFacts, excluded_columns: Sequence[str]) -> list[Problem]:
    table = facts.table
    problems = []
    for name, column_type in facts.columns:
        if column_key(table, name) in excluded_columns:
            continue
        reason = refusal(column_type)
        sql_table = f"{ident(table.schema)}.{ident(table.table)}"
        column = f"{sql_table}.{ident(name)}"
        if reason is None and column_type.element is not None and not column_type.dimensions_checked:
            problems.append(_unchecked_dimensions(sql_table, name))
        if reason is None and column_type.typname == "interval" and column_type.element is None:
            problems.append(_interval_microseconds(sql_table, name))
        if reason is None:
            continue
        problems.append(
            Problem(
                "column_type",
                f"column {column} cannot replicate exactly: {reason}",
                f"add {column_key(table, name)} to exclude_columns, or change its type, e.g. "
                f"`ALTER TABLE {sql_table} ALTER COLUMN {ident(name)} TYPE text;`",
            )
        )
    return problems


def _unchecked_dimensions(sql_table: str, name: str) -> Problem:
    """A warning per array column PostgreSQL lets hold values of any dimension: a multi-dimensional value in a
    column declared one-dimensional lands wrong (Debezium 3.7 sends NULL elements for numbers, which the sink
    cannot tell from real NULLs; Java's object text for text, which the sink refuses at first sight)."""
    return Problem(
        "array_dimensions",
        f"column {sql_table}.{ident(name)} is an array, and PostgreSQL does not enforce its declared "
        "dimensions: a multi-dimensional value stored in it would land as NULL elements (Debezium 3.7), "
        "silently",
        f"run `ALTER TABLE {sql_table} ADD CHECK (array_ndims({ident(name)}) = 1);` so PostgreSQL refuses "
        "such values",
        blocking=False,
    )


def _interval_microseconds(sql_table: str, name: str) -> Problem:
    """A warning per interval column: Debezium 3.7 carries an interval's seconds in a double, so a fraction
    can arrive 1 µs short, in its snapshot and in streamed changes alike (seen on the real stack: 82 of
    2,000 values n/1000 s), and nothing downstream can tell."""
    column = f"{sql_table}.{ident(name)}"
    return Problem(
        "interval_precision",
        f"column {column} is an interval: Debezium 3.7 carries its seconds in a double, so a fractional "
        "second can land 1 µs short (e.g. 1.118 s as 1.117999 s), silently; `cdc verify` finds such rows",
        f"if every microsecond matters, store it as microseconds, e.g. `ALTER TABLE {sql_table} ALTER COLUMN "
        f"{ident(name)} TYPE bigint USING (extract(epoch FROM {ident(name)}) * 1000000)::bigint;`, or add it "
        "to exclude_columns",
        blocking=False,
    )


def _bc_values(facts: TableFacts, excluded_columns: Sequence[str]) -> list[Problem]:
    """A warning per date/timestamp column whose statistics show BC values (the snapshot loses them)."""
    table = facts.table
    sql_table = f"{ident(table.schema)}.{ident(table.table)}"
    return [
        Problem(
            "bc_values",
            f"column {sql_table}.{ident(name)} holds values before year 1 AD (per PostgreSQL's statistics): "
            "Debezium 3.7 sends them as AD in the initial snapshot (streamed changes are exact)",
            f"once the snapshot is done, run `UPDATE {sql_table} SET {ident(name)} = {ident(name)} "
            f"WHERE {ident(name)} < '0001-01-01';` so those rows stream again with their exact values",
            blocking=False,
        )
        for name in facts.bc_columns
        if f"{table.qualified}.{name}" not in excluded_columns
    ]


def _far_timestamps(facts: TableFacts, excluded_columns: Sequence[str]) -> list[Problem]:
    """A refusal per timestamp column whose statistics show a year from 294247 on: Debezium 3.7 computes the
    microseconds in a Java long and sends such a value as Long.MAX, which is also what it sends for
    'infinity', so the sink could not tell them apart."""
    table = facts.table
    sql_table = f"{ident(table.schema)}.{ident(table.table)}"
    return [
        Problem(
            "column_type",
            f"column {sql_table}.{ident(name)} holds timestamps from year 294247 on (per PostgreSQL's "
            "statistics): Debezium 3.7 sends them as 'infinity' or a wrapped value",
            f"add {table.qualified}.{name} to exclude_columns, or change its type, e.g. "
            f"`ALTER TABLE {sql_table} ALTER COLUMN {ident(name)} TYPE text;`",
        )
        for name in facts.far_columns
        if f"{table.qualified}.{name}" not in excluded_columns
    ]


def _slots(facts: SourceFacts, slot: str) -> list[Problem]:
    if any(s.name == slot for s in facts.slots) or len(facts.slots) < facts.max_replication_slots:
        return []
    idle = [s.name for s in facts.slots if not s.active]
    fix = (
        f"drop an unused slot, e.g. `SELECT pg_drop_replication_slot('{idle[0]}');` "
        f"(inactive: {', '.join(idle)})"
        if idle
        else "raise max_replication_slots in postgresql.conf and restart PostgreSQL"
    )
    return [
        Problem(
            "replication_slot",
            f"all {facts.max_replication_slots} replication slots are in use, none left for {slot}",
            fix,
        )
    ]


@dataclass(frozen=True)
class PreflightReport:
    connector: str
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.blocking for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        return {"connector": self.connector, "ok": self.ok, "problems": [asdict(p) for p in self.problems]}


def run_preflight(settings: Settings, tables: Sequence[TableRef]) -> PreflightReport:
    slot = connector_config(settings, tables)["slot.name"]
    facts = gather_facts(settings, tables)
    problems = evaluate(
        facts, slot, settings.key_columns, settings.exclude_columns, topic_prefix=settings.topic_prefix
    )
    return PreflightReport(settings.connector_name, problems)


def check(settings: Settings, tables: Sequence[TableRef]) -> PreflightReport:
    """Run the checks; raise :class:`PreflightError` when one blocks."""
    report = run_preflight(settings, tables)
    if not report.ok:
        raise PreflightError(settings.connector_name, [p for p in report.problems if p.blocking])
    return report
