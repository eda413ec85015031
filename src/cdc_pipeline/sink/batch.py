"""What the C++ core hands the sink: the one contract between the two sides, used as the core binds it.

The core decodes and coalesces Debezium events per table (last write wins per key; a delete after an upsert
wins; a truncate drops the rows before it) and exports the result as Arrow C streams. One
``next_batch()`` returns a :class:`Batch`: per table a :class:`TableBatch` (its :class:`Column` list, its
``deletes``/``upserts`` streams and its source positions), the next offset of every partition read, the
:class:`BadRecord` it stopped before (policy ``stop``) and the :class:`DroppedEvents` it skipped. These are
``_core``'s own types (``core/include/cdc/pipeline/batch.hpp``); a test or tool builds them with the same
constructors, passing any :class:`~cdc_pipeline.arrow_stream.ArrowStreamLike` (a pyarrow Table) as rows.

Apply a table batch in this order: ``truncate`` (every row goes), then ``deletes`` (by key), then ``upserts``
(replace the row with that key, or insert it). For a column named in ``unavailable``, ``upserts`` carries a
boolean column :func:`unavailable_mask_name` ``(i)`` (``i`` = the column's index in ``columns``); where it is
true the row's value for that column was not sent (unchanged TOAST) and the value already in DuckDB is kept.
Tables without a key (``key_columns`` empty): ``deletes`` holds full before-images (each removes one
matching row) and ``upserts`` rows are appended. ``schema_fingerprint`` changes exactly when the columns or
the key do, so a target re-plans only then.

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

from collections.abc import Iterable

from cdc_pipeline import _core
from cdc_pipeline._core import BadRecord, Batch, Column, DroppedEvents, TableBatch, unavailable_mask_name
from cdc_pipeline.arrow_stream import ArrowStreamLike

Offset = tuple[str, int, int]  # topic, partition, next offset to read


def batches_from_records(
    records: Iterable[tuple[str, int, int, bytes | None, bytes | None]], max_events: int = 100_000
) -> list[Batch]:
    """Decode and batch ``(topic, partition, offset, key, value)`` records without Kafka (tests, tools)."""
    return _core.batches_from_records(list(records), max_events)


__all__ = [
    "ArrowStreamLike",
    "BadRecord",
    "Batch",
    "Column",
    "DroppedEvents",
    "Offset",
    "TableBatch",
    "batches_from_records",
    "unavailable_mask_name",
]
