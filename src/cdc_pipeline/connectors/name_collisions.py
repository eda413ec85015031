"""Names that would mix two sources into one: refused before the connector is applied.

Pure functions of the captured tables' facts. Each finding names both sources, what they would share, and the
statement that separates them:

- **Kafka topic.** Debezium names a table's topic ``<prefix>.<schema>.<table>`` and replaces every character
  outside ``[A-Za-z0-9._-]`` with ``_``, so ``public."a b"`` and ``public.a_b`` (or ``public."a.b"`` and
  schema ``public.a``'s table ``b``) would write to one topic.
- **DuckDB table.** Source schema ``public`` lands in DuckDB ``main`` (:mod:`cdc_pipeline.sink.naming`), and
  DuckDB matches identifiers ignoring ASCII case, so ``main.users``/``public.users`` and ``Users``/``users``
  would be one DuckDB table.
- **The bookkeeping schema.** A source schema spelled ``_cdc`` (any case) would land in the sink's own schema.
- **Columns differing only in case.** Debezium fails the task on them and DuckDB would merge them.
- **A double quote in a schema or table name.** Debezium (3.7) writes such a name into its snapshot query
  without doubling the quote; the query fails and the task retries the snapshot forever. (A quote in a
  column name is fine.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from cdc_pipeline.connectors.model import TableRef, column_key
from cdc_pipeline.connectors.problem import Problem, ident
from cdc_pipeline.sink.merge_guard import fold
from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, target_table

T = TypeVar("T")
_TOPIC_INVALID = re.compile(r"[^A-Za-z0-9._-]")


def topic_of(topic_prefix: str, table: TableRef) -> str:
    """The topic Debezium writes ``table`` to (invalid characters replaced by ``_``, as Debezium does)."""
    return _TOPIC_INVALID.sub("_", f"{topic_prefix}.{table.schema}.{table.table}")


def _sql(table: TableRef) -> str:
    return f"{ident(table.schema)}.{ident(table.table)}"


def _rename(table: TableRef, hint: str) -> str:
    return f"`ALTER TABLE {_sql(table)} RENAME TO {ident(hint)};`"


def _groups(items: Iterable[T], key: Callable[[T], Hashable]) -> list[list[T]]:
    """The items sharing a key with another, in groups, in first-seen order."""
    found: dict[Hashable, list[T]] = {}
    for item in items:
        found.setdefault(key(item), []).append(item)
    return [group for group in found.values() if len(group) > 1]


def topic_collisions(tables: Sequence[TableRef], topic_prefix: str) -> list[Problem]:
    problems = []
    for group in _groups(tables, lambda t: topic_of(topic_prefix, t)):
        first, *others = group
        names = " and ".join(t.text for t in group)
        problems.append(
            Problem(
                "topic_name",
                f"tables {names} would share Kafka topic {topic_of(topic_prefix, first)} (Debezium replaces "
                "characters outside A-Za-z0-9._- with _), mixing their changes",
                f"rename one in PostgreSQL, e.g. {_rename(others[0], others[0].table + '_2')}, "
                f"or remove {others[0].text} from the table list",
            )
        )
    return problems


def duckdb_collisions(tables: Sequence[TableRef]) -> list[Problem]:
    problems = []

    def landing(table: TableRef) -> tuple[str, str]:
        target = target_table(table.schema, table.table)
        return fold(target.schema), fold(target.table)

    for group in _groups(tables, landing):
        first, *others = group
        target = target_table(first.schema, first.table)
        names = " and ".join(t.text for t in group)
        why = (
            "DuckDB ignores the case of identifiers"
            if len({t.table for t in group}) > 1
            else "source schema public lands in DuckDB schema main"
        )
        problems.append(
            Problem(
                "duckdb_name",
                f"tables {names} would both land in DuckDB table {target.schema}.{target.table} ({why}), "
                "merging their rows",
                f"rename one in PostgreSQL, e.g. {_rename(others[0], others[0].table + '_2')}, "
                f"or remove {others[0].text} from the table list",
            )
        )
    return problems


def bookkeeping_collisions(tables: Sequence[TableRef]) -> list[Problem]:
    schemas = sorted({t.schema for t in tables if fold(t.schema) == BOOKKEEPING_SCHEMA})
    return [
        Problem(
            "duckdb_name",
            f"source schema {schema} would land in DuckDB schema {BOOKKEEPING_SCHEMA}, "
            "the sink's bookkeeping",
            f"rename it in PostgreSQL, e.g. `ALTER SCHEMA {ident(schema)} RENAME TO cdc_data;`, "
            f"or remove its tables from the table list",
        )
        for schema in schemas
    ]


def quoted_names(tables: Sequence[TableRef]) -> list[Problem]:
    """Tables whose schema or table name holds ``"``, which Debezium's snapshot query cannot name."""
    return [
        Problem(
            "table_name",
            f"table {table.text}: Debezium cannot snapshot a table whose schema or table name holds a "
            'double quote (its snapshot query leaves the " undoubled and fails, retried forever)',
            f"rename it, e.g. {_rename(table, table.table.replace(chr(34), ''))}"
            if '"' in table.table
            else f"rename the schema, e.g. `ALTER SCHEMA {ident(table.schema)} RENAME TO "
            f"{ident(table.schema.replace(chr(34), ''))};`",
        )
        for table in tables
        if '"' in table.schema or '"' in table.table
    ]


def column_collisions(table: TableRef, columns: Sequence[str], excluded: Sequence[str]) -> list[Problem]:
    """Captured columns whose names differ only in ASCII case (``excluded``: ``schema.table.column``)."""
    captured = [c for c in columns if column_key(table, c) not in excluded]
    problems = []
    for group in _groups(captured, fold):
        names = " and ".join(ident(c) for c in group)
        last = group[-1]
        problems.append(
            Problem(
                "column_name",
                f"table {table.text} has columns {names} that differ only in case: Debezium fails the "
                "task on them and DuckDB would merge them",
                f"rename one, e.g. `ALTER TABLE {_sql(table)} RENAME COLUMN {ident(last)} TO "
                f"{ident(fold(last) + '_2')};`",
            )
        )
    return problems
