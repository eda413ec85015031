"""What the C++ core hands the sink for one table in one batch: the contract between the two sides.

The core decodes and coalesces Debezium events per table (last write wins per key; a delete after an upsert
wins; a truncate drops the rows before it) and exports the result as Arrow C streams. The sink's DuckDB target
turns one :class:`TableChanges` into set-based SQL inside the batch's transaction.

Arrow types produced by the core, per DuckDB column type (``Column.duck_type``):

==========================  =====================================================
DuckDB type                 Arrow type in ``upserts`` / ``deletes``
==========================  =====================================================
SMALLINT/INTEGER/BIGINT     int16 / int32 / int64
REAL / DOUBLE / BOOLEAN     float32 / float64 / bool
DECIMAL(p,s)  (p <= 38)     decimal128(p, s); utf8 (exact text) for ``numeric`` without precision, which
                            a batch declares DECIMAL(38,18) only when every value in it fits, else VARCHAR
VARCHAR, JSON, UUID, TIMETZ utf8 (the target casts to the column type)
BIT                         utf8 of '0'/'1' characters
BLOB                        binary
DATE                        date32
TIME                        time64[us]
TIMESTAMP / TIMESTAMPTZ     timestamp[us] / timestamp[us, tz=UTC] (±infinity as DuckDB's infinities)
INTERVAL                    month_day_nano interval
T[]                         list<T's Arrow type>
==========================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ArrowStream(Protocol):
    """Anything exporting the Arrow PyCapsule stream interface (the core's batches, or a pyarrow Table)."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...


@dataclass(frozen=True)
class Column:
    """One column of the source table as the latest event in the batch describes it."""

    name: str  # exact source spelling; always quoted in SQL
    duck_type: str  # DuckDB type text: 'DECIMAL(10,2)', 'VARCHAR', 'INTEGER[]', 'TIMESTAMPTZ', ...
    nullable: bool = True
    default_sql: str | None = None  # SQL literal of a constant source DEFAULT, for ADD COLUMN ... DEFAULT
    key: bool = False


def unavailable_mask_name(index: int) -> str:
    """Name of the boolean column that marks rows whose column ``index`` held Debezium's TOAST placeholder."""
    return f"__cdc_unavailable_{index}"


@dataclass(frozen=True)
class TableChanges:
    """The coalesced final state of one source table's changes in one batch.

    Apply in this order: ``truncate`` (every row goes), then ``deletes`` (by key), then ``upserts``
    (replace the row with that key, or insert it). For a column named in ``unavailable``, ``upserts`` carries
    a boolean column ``unavailable_mask_name(i)`` (``i`` = the column's index in ``columns``); where it is
    true the row's value for that column was not sent (unchanged TOAST) and the value already in DuckDB is
    kept. Tables without a key (``key_columns`` empty): ``deletes`` holds full before-images (each removes one
    matching row) and ``upserts`` rows are appended.
    """

    topic: str
    source_schema: str
    source_table: str
    columns: list[Column]
    key_columns: list[str]
    truncate: bool = False
    snapshot_started: bool = False  # the table's snapshot (re)started in this batch: it replaces the table
    deletes: ArrowStream | None = None
    upserts: ArrowStream | None = None
    unavailable: list[str] = field(default_factory=list)
    last_lsn: int | None = None
    last_source_ts_ms: int | None = None
    # The highest source position (source.sequence[0], source.lsn) among the batch's streaming events and
    # that event's txId; None when it has none (snapshot reads only). Stored in _cdc.tables: Source.start.
    last_commit_lsn: int | None = None
    last_event_lsn: int | None = None
    last_tx_id: int | None = None
    # events seen per op: c, u, d, r, t; dup = redelivered duplicates skipped; unapplied = keyless
    # updates/deletes without a before-image (dropped, warned)
    counts: dict[str, int] = field(default_factory=dict)
