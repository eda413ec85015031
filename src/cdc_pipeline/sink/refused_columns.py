"""Columns of a refused type that appear after the preflight: stop their table, never drop them silently.

The preflight refuses a captured column whose type cannot land exactly (:mod:`cdc_pipeline.type_contract`).
A column added later (``ALTER TABLE ... ADD COLUMN q tsquery``, ``ALTER COLUMN ... TYPE numeric[]``), or a
table created later in a captured schema, never meets the preflight, and Debezium drops such a column from
its events or sends NULL for it. So the sink asks PostgreSQL's catalog, with the same query and the same
contract:

- before it creates a table, and whenever a table's columns change (:func:`check_table`): the table stops
  before any row of it lands;
- every ``sink_table_check_s`` for every running table (:func:`refused_tables`): a column Debezium drops
  leaves the events unchanged, so only the catalog shows it; rows applied since the ``ALTER`` lack it, so
  the fix rebuilds the table (``cdc tables resnapshot``) after the column is excluded or its type changed.

Columns in ``exclude_columns`` are not captured and never checked (the catalog leaves them out); `cdc tables
resnapshot` and `resume` hand cdc.yaml's current list to the running sink.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cdc_pipeline.config.values import render_name, render_table
from cdc_pipeline.sink.errors import TableStopError
from cdc_pipeline.sink.naming import quote_ident, source_key
from cdc_pipeline.sink.schema_tables import RUNNING_OIDS
from cdc_pipeline.sink.source_catalog import CatalogUnavailable, SourceCatalog
from cdc_pipeline.type_contract import ColumnType, refusal

if TYPE_CHECKING:
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

log = logging.getLogger("cdc_pipeline.sink")

MARK = "cannot replicate exactly"  # every reason below says it (status and tests find the stop by it)


def refusals(columns: Sequence[tuple[str, ColumnType]]) -> list[tuple[str, str]]:
    """``(column, why)`` for each column whose type the contract refuses."""
    return [(name, why) for name, column_type in columns if (why := refusal(column_type)) is not None]


def stop_reason(schema: str, table: str, refused: Sequence[tuple[str, str]]) -> str:
    """Why the table stops and both ways back, for the first refused column (all of them are named)."""
    source = source_key(schema, table)
    sql_table = f"{quote_ident(schema)}.{quote_ident(table)}"
    first = refused[0][0]
    listed = "; ".join(f"column {quote_ident(name)} {MARK}: {why}" for name, why in refused)
    excluded = ", ".join(f"{render_table(schema, table)}.{render_name(name)}" for name, _ in refused)
    return (
        f"table {source}: {listed} (it appeared after the preflight). Fix: either add {excluded} "
        f"to exclude_columns in cdc.yaml and run `cdc connectors apply`, or change its type (e.g. "
        f"`ALTER TABLE {sql_table} ALTER COLUMN {quote_ident(first)} TYPE text;`); then rebuild the table "
        f"with `cdc tables resnapshot {source}` (rows applied since the column appeared lack it)"
    )


def check_table(catalog: SourceCatalog, schema: str, table: str) -> None:
    """TableStopError when the table has a captured column of a refused type now. PostgreSQL not answering
    is logged, not fatal: the periodic check asks again."""
    try:
        columns = catalog.column_types([(schema, table)]).get((schema, table), [])
    except CatalogUnavailable as exc:
        log.warning("table %s: its column types were not checked now (checked again later): %s", table, exc)
        return
    refused = refusals(columns)
    if refused:
        raise TableStopError(stop_reason(schema, table, refused))


def refused_tables(catalog: SourceCatalog, target: DuckDBTarget) -> dict[str, str]:
    """Running tables with a captured column of a refused type now: ``schema.table`` -> the stop reason."""
    recorded = {int(str(oid)): str(source) for source, oid in target.fetch(RUNNING_OIDS, [])}
    if not recorded:
        return {}
    try:
        names = catalog.relation_names(sorted(recorded))
        found = catalog.column_types(sorted(set(names.values())))
    except CatalogUnavailable as exc:
        log.warning("could not check the captured columns' types: %s", exc)
        return {}
    stopped: dict[str, str] = {}
    for oid, source in recorded.items():
        if oid not in names or source_key(*names[oid]) != source:
            continue  # gone or renamed: the renamed-tables check says so
        refused = refusals(found.get(names[oid], []))
        if refused:
            stopped[source] = stop_reason(*names[oid], refused)
    return stopped
