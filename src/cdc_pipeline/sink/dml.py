"""SQL text that applies one table's batch: set-based statements over a registered Arrow stream.

Every statement reads its stream exactly once (the core's streams are one-shot), names every column
explicitly (never ``BY NAME``, never ``SELECT *``), and casts each value to the DuckDB column's type, so the
core's utf8 becomes JSON/UUID/TIMETZ/BIT and narrower source types fit a column kept wider.

Rules enforced here:

- keyed deletes: ``DELETE ... USING`` the batch's keys (hash join; the tables have no index);
- keyed upserts, the common case (no unsent TOAST value, no dropped column): the batch is staged once into a
  temporary table, the rows with its keys are deleted (``DELETE ... USING``, a hash join) and the batch is
  inserted. On large tables this is 4-10x faster than ``MERGE`` (bench/RESULTS.md, scenario ``apply``):
  DuckDB updates a matched row column by column in place, scattered over the whole table, while a delete only
  marks the row and an insert appends;
- keyed deletes and upserts in one batch (that case, no user column named ``rowid``): the rows to remove are
  found by ONE join of the table with both key sets (the deleted keys, tagged, and the staged upserts'
  keys) into a temporary table of rowids, removed by rowid, then the batch is inserted: the table's key
  columns are scanned once per batch instead of twice (1.14x the rows/s at 10M rows, bench ``apply``);
- keyed upserts otherwise: one ``MERGE``: a matched row is replaced, a new key is inserted. For a column whose
  value was not sent (unchanged TOAST, mask column true) a matched row keeps its DuckDB value and a new row
  gets
  NULL: there is no value to keep, and the source only omits values it already sent (so this happens only
  when DuckDB missed the row, e.g. the snapshot was skipped). Columns the source dropped keep their value in
  matched rows and are NULL in new rows. The stream must hold one row per key (the core coalesces): MERGE
  would insert a repeated new key twice and keep an arbitrary row for a repeated existing one;
- keyless deletes: each before-image row removes exactly one DuckDB row equal to it (multiset semantics,
  ``IS NOT DISTINCT FROM`` so NULLs match); a before-image matching nothing removes nothing. They use DuckDB's
  ``rowid``, which a user column named ``rowid`` would shadow;
- keyless upserts are appended (masked values become NULL: there is no key to find the old value by).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdc_pipeline.sink.naming import TargetTable, quote_ident

TARGET = quote_ident("__cdc_target")
BATCH = quote_ident("__cdc_batch")


@dataclass(frozen=True)
class BatchShape:
    """What the statements need to know about one table's batch and its DuckDB table."""

    table: TargetTable
    columns: Sequence[tuple[str, str]]  # (column name, DuckDB type of the target column) in source order
    keys: Sequence[str] = ()
    masks: Mapping[str, str] = field(default_factory=dict)  # column name -> its unavailable-mask column
    dropped: Sequence[str] = ()  # DuckDB columns the source no longer has


def _casts(columns: Sequence[tuple[str, str]]) -> list[str]:
    return [f"CAST({quote_ident(name)} AS {duck_type}) AS {quote_ident(name)}" for name, duck_type in columns]


def _in(alias: str, name: str) -> str:
    return f"{alias}.{quote_ident(name)}"


def _key_match(keys: Sequence[str]) -> str:
    """Plain equality: key columns are never NULL."""
    return " AND ".join(f"{_in(TARGET, k)} = {_in(BATCH, k)}" for k in keys)


def truncate(table: TargetTable) -> str:
    return f"DELETE FROM {table.sql}"


def delete_by_key(shape: BatchShape, stream: str) -> str:
    """Remove the rows whose key is in the stream (which may carry more than the key columns)."""
    types = dict(shape.columns)
    keys = ", ".join(_casts([(k, types[k]) for k in shape.keys]))
    return (
        f"DELETE FROM {shape.table.sql} AS {TARGET} USING (SELECT {keys} FROM {quote_ident(stream)}) "
        f"AS {BATCH} WHERE {_key_match(shape.keys)}"
    )


def delete_multiset(shape: BatchShape, stream: str) -> str:
    """Keyless: the n-th copy of a before-image removes the n-th equal DuckDB row (by rowid), no more."""
    same = " AND ".join(f"{_in(TARGET, n)} IS NOT DISTINCT FROM {_in(BATCH, n)}" for n, _ in shape.columns)
    images = (
        f'SELECT *, row_number() OVER () AS "__cdc_image" FROM (SELECT {", ".join(_casts(shape.columns))}, '
        f'count(*) AS "__cdc_copies" FROM {quote_ident(stream)} GROUP BY ALL)'
    )
    matches = (
        f'SELECT {TARGET}.rowid AS "__cdc_rowid", {BATCH}."__cdc_copies", row_number() OVER '
        f'(PARTITION BY {BATCH}."__cdc_image" ORDER BY {TARGET}.rowid) AS "__cdc_copy" '
        f"FROM {shape.table.sql} AS {TARGET} JOIN ({images}) AS {BATCH} ON {same}"
    )
    return (
        f'DELETE FROM {shape.table.sql} WHERE rowid IN (SELECT "__cdc_rowid" FROM ({matches}) '
        f'WHERE "__cdc_copy" <= "__cdc_copies")'
    )


def _source(shape: BatchShape, stream: str) -> str:
    masks = [quote_ident(mask) for mask in shape.masks.values()]
    return f"SELECT {', '.join([*_casts(shape.columns), *masks])} FROM {quote_ident(stream)}"


def _new_value(shape: BatchShape, name: str) -> str:
    """A new row's value: NULL where the source did not send it."""
    mask = shape.masks.get(name)
    value = _in(BATCH, name)
    return f"CASE WHEN {_in(BATCH, mask)} THEN NULL ELSE {value} END" if mask else value


def _replaced_value(shape: BatchShape, name: str) -> str:
    """A matched row's value: the one already in DuckDB where the source did not send it."""
    mask = shape.masks.get(name)
    value = _in(BATCH, name)
    return f"CASE WHEN {_in(BATCH, mask)} THEN {_in(TARGET, name)} ELSE {value} END" if mask else value


def _insert_lists(shape: BatchShape) -> tuple[str, str]:
    names = [name for name, _ in shape.columns]
    targets = [quote_ident(n) for n in [*names, *shape.dropped]]
    values = [_new_value(shape, n) for n in names] + ["NULL"] * len(shape.dropped)
    return ", ".join(targets), ", ".join(values)


def merge_upserts(shape: BatchShape, stream: str) -> str:
    """Replace rows with a key in the stream and insert the others, in one pass over the stream."""
    keys = set(shape.keys)
    updates = [f"{quote_ident(n)} = {_replaced_value(shape, n)}" for n, _ in shape.columns if n not in keys]
    matched = f"UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
    targets, values = _insert_lists(shape)
    return (
        f"MERGE INTO {shape.table.sql} AS {TARGET} USING ({_source(shape, stream)}) AS {BATCH} "
        f"ON {_key_match(shape.keys)} WHEN MATCHED THEN {matched} "
        f"WHEN NOT MATCHED THEN INSERT ({targets}) VALUES ({values})"
    )


def can_replace(shape: BatchShape) -> bool:
    """Delete-and-insert gives the rows ``MERGE`` gives only when no matched row keeps a value of its own."""
    return bool(shape.keys) and not shape.masks and not shape.dropped


def stage_rows(shape: BatchShape, stream: str, staged: str) -> str:
    """Read the stream once into a temporary table (cast to the DuckDB column types)."""
    return f"CREATE TEMP TABLE {quote_ident(staged)} AS {_source(shape, stream)}"


def delete_staged_keys(shape: BatchShape, staged: str) -> str:
    """Remove the rows whose key is in the staged batch (they are inserted again next)."""
    keys = ", ".join(quote_ident(k) for k in shape.keys)
    return (
        f"DELETE FROM {shape.table.sql} AS {TARGET} USING (SELECT {keys} FROM {quote_ident(staged)}) "
        f"AS {BATCH} WHERE {_key_match(shape.keys)}"
    )


def insert_staged(shape: BatchShape, staged: str) -> str:
    names = ", ".join(quote_ident(name) for name, _ in shape.columns)
    return f"INSERT INTO {shape.table.sql} ({names}) SELECT {names} FROM {quote_ident(staged)}"


def can_tag_rows(shape: BatchShape) -> bool:
    """The one-scan path names DuckDB's ``rowid``, which a user column called ``rowid`` would shadow."""
    return can_replace(shape) and all(name.lower() != "rowid" for name, _ in shape.columns)


def tag_removed_rows(shape: BatchShape, deletes: str, staged: str, tagged: str) -> str:
    """One join of the table with every key the batch removes, the deleted keys (read from the ``deletes``
    stream, tagged) and the staged upserts' keys, into a temporary table of matched rowids: one scan of
    the table's key columns per batch instead of one per kind."""
    types = dict(shape.columns)
    deleted = ", ".join(_casts([(k, types[k]) for k in shape.keys]))
    replaced = ", ".join(quote_ident(k) for k in shape.keys)
    removed = (
        f'SELECT {deleted}, true AS "__cdc_deleted" FROM {quote_ident(deletes)} '
        f"UNION ALL SELECT {replaced}, false FROM {quote_ident(staged)}"
    )
    return (
        f'CREATE TEMP TABLE {quote_ident(tagged)} AS SELECT {TARGET}.rowid AS "__cdc_rowid", '
        f'{BATCH}."__cdc_deleted" FROM {shape.table.sql} AS {TARGET} JOIN ({removed}) AS {BATCH} '
        f"ON {_key_match(shape.keys)}"
    )


def delete_tagged(shape: BatchShape, tagged: str) -> str:
    return f'DELETE FROM {shape.table.sql} WHERE rowid IN (SELECT "__cdc_rowid" FROM {quote_ident(tagged)})'


def count_tagged_deletes(tagged: str) -> str:
    """How many of the removed rows had a deleted key (the others are replaced by the insert that follows)."""
    return f'SELECT count(*) FILTER (WHERE "__cdc_deleted") FROM {quote_ident(tagged)}'


def drop_staged(staged: str) -> str:
    return f"DROP TABLE temp.main.{quote_ident(staged)}"


def append_rows(shape: BatchShape, stream: str) -> str:
    """Keyless: every row of the stream is a new row."""
    targets, values = _insert_lists(shape)
    source = _source(shape, stream)
    return f"INSERT INTO {shape.table.sql} ({targets}) SELECT {values} FROM ({source}) AS {BATCH}"
