"""Errors of the DuckDB side of the sink, each naming the table it concerns and what the user can do."""

from __future__ import annotations

from cdc_pipeline import _core
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, quote_ident


def resnapshot_hint(source: str, target_sql: str) -> str:
    """How to recover a table the sink had to stop: start it over from a fresh snapshot."""
    return (
        f"The sink stops applying {source} (the other tables go on); to recover, re-snapshot it with "
        f"`cdc tables resnapshot {source}`, which empties {target_sql} in DuckDB and asks Debezium for a "
        "snapshot of that table only"
    )


def skip_hint(table: str, topic: str, partition: int, offset: int) -> str:
    """How to get past one record the sink cannot apply."""
    return (
        f"The sink holds {table} at this record; skip it with `cdc tables skip {table} --topic {topic} "
        f"--partition {partition} --offset {offset}`, or rebuild it with `cdc tables resnapshot {table}`"
    )


def retry_hint(table: str) -> str:
    """How to recover a table DuckDB refused: fix the cause and retry, or rebuild it."""
    return (
        f"The sink holds {table} (nothing of that batch was applied; the other tables go on); after fixing "
        f"the cause run `cdc tables resume {table}`, or rebuild it with `cdc tables resnapshot {table}`"
    )


class TableStopError(CdcError):
    """A problem of one table found before any statement for it ran: the sink stops that table only."""


def refuse_bookkeeping_schema(schema: str, table: str) -> None:
    """The sink never alters its own bookkeeping: a source schema named ``_cdc`` stops that table."""
    if schema.lower() == BOOKKEEPING_SCHEMA:
        raise TableStopError(
            f"table {schema}.{table}: its DuckDB schema would be {BOOKKEEPING_SCHEMA!r}, the sink's own "
            "bookkeeping, which the sink never alters",
            f"rename the source schema, or leave {schema}.{table} out of `tables` and run "
            "`cdc connectors apply`; then `cdc tables resnapshot` is not needed",
        )


class IncompatibleSchemaChange(TableStopError):  # noqa: N818 (the name the sink loop uses)
    """A source column changed type in a way the DuckDB column cannot follow without losing values.

    Terminal for that table: the sink stops applying it until it is re-snapshotted.
    """

    def __init__(self, source: str, target_sql: str, column: str, old_type: str, new_type: str) -> None:
        self.source = source
        self.column = column
        self.old_type = old_type
        self.new_type = new_type
        super().__init__(
            f"table {source}: column {column!r} changed type from {old_type} to {new_type}, "
            f"which DuckDB column {target_sql}.{quote_ident(column)} cannot follow without losing values",
            resnapshot_hint(source, target_sql),
        )


class ApplyError(CdcError):
    """DuckDB refused a statement while applying one table's batch (the transaction must be rolled back)."""

    def __init__(self, source: str, step: str, cause: Exception, table_level: bool = True) -> None:
        self.source = source
        self.step = step
        self.topic = ""  # the table's topic, set by the sink loop (where it is known)
        self.table_level = table_level  # False: the database itself failed (file unwritable, a DuckDB bug)
        super().__init__(
            f"table {source}: DuckDB failed to {step}: {cause}",
            "the batch was not applied; fix the cause, then `cdc tables resume "
            f"{source}`, or rebuild it with `cdc tables resnapshot {source}`",
        )


class BadRecordError(CdcError):
    """A record could not be decoded or converted and the policy is `stop-sink`.

    Everything before it is applied and committed; nothing after it is. A restart after the fix resumes
    exactly at this record.
    """

    def __init__(self, record: _core.BadRecord) -> None:
        self.record = record
        where = f"topic {record.topic} partition {record.partition} offset {record.offset}"
        what = f"table {record.table or '?'}" + (f" column {record.column!r}" if record.column else "")
        super().__init__(
            f"bad record at {where} ({what}): {record.reason}",
            "nothing after it was applied; fix the cause and restart the sink (it resumes at this record), "
            "or set SINK_ON_ERROR=stop-table (only that table stops, then `cdc tables skip ...`) or "
            "SINK_ON_ERROR=dead-letter (such records go to the dead-letter topic)",
        )
