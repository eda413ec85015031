"""No source table is ever merged into another's DuckDB table, even one created after preflight ran.

Preflight refuses two listed tables that land on one DuckDB table (``main.users``/``public.users``,
``Users``/``users``). With a whole schema captured, a table created later never passed preflight, so the sink
checks at first sight: a source whose DuckDB table another source already fills (``_cdc.tables``, compared as
DuckDB compares identifiers: ASCII case ignored) stops, with the fix; the other table flows on untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdc_pipeline.sink.errors import TableStopError
from cdc_pipeline.sink.naming import source_key, target_table

if TYPE_CHECKING:
    from cdc_pipeline.sink.batch import TableBatch
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget


def fold(name: str) -> str:
    """How DuckDB compares identifiers: ASCII letters ignore case, every other character is exact."""
    return "".join(c.lower() if c.isascii() else c for c in name)


def owner_of_target(rows: list[tuple[object, ...]], source: str, target_sql: str) -> str | None:
    """The other source table (from ``_cdc.tables`` rows: source, target, ...) that fills ``target_sql``."""
    for row in rows:
        other, other_target = str(row[0]), row[1]
        if other != source and isinstance(other_target, str) and fold(other_target) == fold(target_sql):
            return other
    return None


def refuse_merged_table(target: DuckDBTarget, changes: TableBatch) -> None:
    source = source_key(changes.source_schema, changes.source_table)
    table = target_table(changes.source_schema, changes.source_table)
    owner = owner_of_target(target.table_rows(), source, table.sql)
    if owner is None:
        return
    raise TableStopError(
        f"table {source} would land in DuckDB table {table.sql}, which already holds table {owner} "
        "(DuckDB ignores the case of identifiers; source schema public lands in main): it is not applied, "
        "so the two are never merged",
        f"rename {source} in PostgreSQL (`ALTER TABLE ... RENAME TO ...`); its changes then arrive under "
        "the new name, from the rename on (`cdc tables resnapshot` that name for its earlier rows)",
    )
