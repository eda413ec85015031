"""The DuckDB database the sink writes: schema evolution, set-based apply, offsets and per-table progress.

The only module of the sink that imports duckdb. SQL text comes from the pure modules :mod:`.ddl`,
:mod:`.dml` and :mod:`.bookkeeping`; this class reads the catalog, runs statements and translates DuckDB's
exceptions into :class:`ApplyError` naming the table.

Every method runs inside the one transaction the caller opens with :meth:`begin` and ends with
:meth:`commit` or :meth:`rollback` (the commit protocol lives in the sink loop).

Arrow streams: each ``deletes``/``upserts`` object is asked for its PyCapsule exactly once and the capsule is
registered, then read by exactly one statement. Registering the object itself would not do: DuckDB 2.0 calls
``__arrow_c_stream__`` once to read the schema and again to scan, which a one-shot stream cannot serve.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

import duckdb
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink import bookkeeping, dml, schema_follow, schema_tables
from cdc_pipeline.sink.batch import ArrowStreamLike, TableBatch, unavailable_mask_name
from cdc_pipeline.sink.ddl import ExistingColumn
from cdc_pipeline.sink.errors import ApplyError
from cdc_pipeline.sink.known_schemas import KnownSchemas
from cdc_pipeline.sink.naming import TargetTable, source_key, target_table
from cdc_pipeline.sink.source_catalog import SourceCatalog
from cdc_pipeline.sink.target_bookkeeping import AppliedCounts, BookkeepingWrites

log = logging.getLogger("cdc_pipeline.sink")

# DuckDB failures of the database itself, not of one table's data: they stop the sink whatever the policy.
_PROCESS_ERRORS = (
    duckdb.IOException,
    duckdb.FatalException,
    duckdb.InternalException,
    duckdb.OutOfMemoryException,
    duckdb.PermissionException,
)

_CATALOG = (
    "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
    "WHERE database_name = current_database() AND lower(schema_name) = lower(?) "
    "AND lower(table_name) = lower(?) ORDER BY column_index"
)


class FileLockedError(CdcError):
    """Another process holds the DuckDB file read-write (DuckDB allows one writer per file)."""


def open_exclusive(path: Path) -> duckdb.DuckDBPyConnection:
    """The one read-write connection to ``path``; a file another process holds is one clear line."""
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" not in message.lower():
            raise
        holder = re.search(r"PID (\d+)", message)
        who = f"process {holder.group(1)}" if holder else "another process"
        raise FileLockedError(
            f"the DuckDB file {path} is held by {who} (a second sink, or a program with it open)",
            "stop that process (`cdc down` stops the stack's sink), or give this sink another duckdb_path "
            "(env CDC_DUCKDB_PATH)",
        ) from exc


class DuckDBTarget(BookkeepingWrites):
    """One read-write DuckDB file holding the replicated tables and the ``_cdc`` bookkeeping."""

    def __init__(self, path: Path, catalog: SourceCatalog | None = None) -> None:
        """``catalog``: PostgreSQL's catalog, to follow renames and backfill volatile defaults (see
        :mod:`.schema_follow`); None evolves tables by column name only."""
        self.path = path
        self._root = open_exclusive(path)  # runs nothing: it hands out the connections below
        self._conn = self._root.cursor()  # the one writer; replaced by abandon() when DuckDB broke it
        self._streams = 0
        self._follower = schema_follow.SchemaFollower(catalog)
        self._known = KnownSchemas()
        for statement in (*bookkeeping.CREATE, *schema_tables.CREATE):
            self._conn.execute(statement)

    # -- lifecycle -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Checkpoint so the file is complete without its WAL (no replay at the next open), then close."""
        try:
            self._conn.execute("CHECKPOINT")
        finally:
            self._conn.close()
            self._root.close()

    def __enter__(self) -> DuckDBTarget:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """On an error, end a batch left open so CHECKPOINT can run; a CHECKPOINT that fails then is one
        warning (the WAL is replayed at the next open), so the error that stopped the sink stays the one."""
        if error is None:
            self.close()
            return
        self.abandon()
        try:
            self.close()
        except duckdb.Error as exc:
            log.warning(
                "DuckDB file %s: CHECKPOINT at stop failed (replayed at the next open): %s", self.path, exc
            )

    def abandon(self) -> None:
        """End a failed transaction whatever state DuckDB left it in; never raises a DuckDB error.

        ROLLBACK; when DuckDB refuses that (``cannot rollback - no transaction is active`` after a failed
        COMMIT, ``connection is busy``), the writer connection is replaced by a fresh one on the same
        database (same settings, so the readers' lock-down holds), which has no transaction.
        """
        self._known.forget()
        try:
            self._conn.rollback()
        except duckdb.Error as exc:
            log.info("DuckDB file %s: ROLLBACK refused (%s); reopening the sink's connection", self.path, exc)
            with suppress(duckdb.Error):
                self._conn.close()
            self._conn = self._root.cursor()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the same database for readers in this process (snapshot reads that never block)."""
        return self._root.cursor()

    def begin(self) -> None:
        self._conn.begin()

    def commit(self) -> None:
        self._conn.commit()

    def rollback(self) -> None:
        self._known.forget()
        self._conn.rollback()

    # -- schema ----------------------------------------------------------------------------------------

    def existing_columns(self, table: TargetTable) -> list[ExistingColumn]:
        """The table's columns as DuckDB has them; empty when the table does not exist."""
        rows = self._conn.execute(_CATALOG, [table.schema, table.table]).fetchall()
        return [
            ExistingColumn(name, duck_type, nullable, default) for name, duck_type, nullable, default in rows
        ]

    def evolve(self, changes: TableBatch) -> list[str]:
        """Create or alter the table so it holds ``changes`` (see :mod:`.ddl`); returns the DDL run. A schema
        applied before in a committed batch (:mod:`.known_schemas`) needs nothing."""
        source = source_key(changes.source_schema, changes.source_table)
        if self._known.columns(source, changes.schema_fingerprint) is not None:
            return []
        table = target_table(changes.source_schema, changes.source_table)
        existing = self.existing_columns(table)
        if not existing and not changes.columns:
            return []  # a truncate (no row schema) of a table not created yet: see apply()
        return self._follower.evolve(self, changes, existing)

    def renamed_tables(self) -> dict[str, str]:
        """Running tables renamed in PostgreSQL (``schema.table`` -> stop reason): :mod:`.schema_follow`."""
        return self._follower.renamed_tables(self)

    def refused_tables(self) -> dict[str, str]:
        """Running tables with a column of a refused type now: :mod:`.refused_columns`."""
        return self._follower.refused_tables(self)

    def exclude_columns(self, columns: Sequence[str]) -> None:
        """The ``exclude_columns`` in force now (a resume hands them over): those columns are not checked."""
        if self._follower.catalog is not None:
            self._follower.catalog.exclude(columns)

    def execute(self, source: str, step: str, sql: str, params: list[object] | None = None) -> int:
        """One statement for ``source`` (schema.table) in the open transaction; rows changed (0 for DDL)."""
        return self._count(source, step, sql, params)

    def fetch(self, sql: str, params: list[object]) -> list[tuple[object, ...]]:
        return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def registered_table(self, table: object) -> Iterator[str]:
        """An Arrow table (read as often as needed) registered under a fresh name for the block."""
        self._streams += 1
        name = f"__cdc_table_{self._streams}"
        self._conn.register(name, table)
        try:
            yield name
        finally:
            with suppress(duckdb.TransactionException):
                self._conn.unregister(name)

    # -- rows ------------------------------------------------------------------------------------------

    def apply(self, changes: TableBatch) -> AppliedCounts:
        """Truncate, then deletes, then upserts (DESIGN.md's order); the rules are in :mod:`.dml`."""
        source = source_key(changes.source_schema, changes.source_table)
        if not changes.columns and not self.existing_columns(
            target_table(changes.source_schema, changes.source_table)
        ):
            # Debezium's truncate event has no row schema; truncating a table DuckDB does not hold yet is a
            # no-op (creating it would fail: "Table must have at least one column").
            return AppliedCounts(upserted=0, deleted=0)
        shape = self._shape(changes, source)
        truncated = self._count(source, "truncate", dml.truncate(shape.table)) if changes.truncate else 0
        if changes.deletes is not None and changes.upserts is not None and dml.can_tag_rows(shape):
            upserted, deleted = self._replace(source, shape, changes.upserts, changes.deletes)
            return AppliedCounts(upserted=upserted, deleted=deleted, truncated=truncated)
        deleted = self._scan(source, "delete rows", changes.deletes, lambda s: self._delete_sql(shape, s))
        if changes.upserts is not None and dml.can_replace(shape):
            upserted, _ = self._replace(source, shape, changes.upserts)
        else:
            upserted = self._scan(
                source, "upsert rows", changes.upserts, lambda s: self._upsert_sql(shape, s)
            )
        return AppliedCounts(upserted=upserted, deleted=deleted, truncated=truncated)

    def _replace(
        self,
        source: str,
        shape: dml.BatchShape,
        upserts: ArrowStreamLike,
        deletes: ArrowStreamLike | None = None,
    ) -> tuple[int, int]:
        """Upsert by staging the batch, removing the rows it replaces and inserting it (see :mod:`.dml`);
        with ``deletes``, the deleted keys are removed in the same single scan. (upserted, deleted)."""
        step = "upsert rows" if deletes is None else "delete and upsert rows"
        with self._registered(upserts) as name:
            staged = f"{name}_staged"
            self._count(source, step, dml.stage_rows(shape, name, staged))
        deleted = 0
        if deletes is None:
            self._count(source, step, dml.delete_staged_keys(shape, staged))
        else:
            with self._registered(deletes) as name:
                tagged = f"{name}_tagged"
                self._count(source, step, dml.tag_removed_rows(shape, name, staged, tagged))
            self._count(source, step, dml.delete_tagged(shape, tagged))
            deleted = self._count(source, step, dml.count_tagged_deletes(tagged))
            self._count(source, step, dml.drop_staged(tagged))
        upserted = self._count(source, step, dml.insert_staged(shape, staged))
        self._count(source, step, dml.drop_staged(staged))
        return upserted, deleted

    def _shape(self, changes: TableBatch, source: str) -> dml.BatchShape:
        """Pair each source column with its DuckDB column type (which may be wider than the source's)."""
        table = target_table(changes.source_schema, changes.source_table)
        columns = self._known.columns(source, changes.schema_fingerprint)
        if columns is None:
            columns = self.existing_columns(table)
            self._known.remember(source, changes.schema_fingerprint, columns)
        existing = {c.name.lower(): c for c in columns}
        missing = [c.name for c in changes.columns if c.name.lower() not in existing]
        if missing:
            raise ApplyError(
                source, "find its columns", LookupError(f"{table.sql} lacks {missing}; evolve first")
            )
        names = {c.name.lower() for c in changes.columns}
        masked = set(changes.unavailable)
        return dml.BatchShape(
            table=table,
            columns=[(c.name, existing[c.name.lower()].duck_type) for c in changes.columns],
            keys=list(changes.key_columns),
            masks={
                c.name: unavailable_mask_name(i) for i, c in enumerate(changes.columns) if c.name in masked
            },
            dropped=[c.name for c in existing.values() if c.name.lower() not in names],
        )

    @staticmethod
    def _delete_sql(shape: dml.BatchShape, stream: str) -> str:
        return dml.delete_by_key(shape, stream) if shape.keys else dml.delete_multiset(shape, stream)

    @staticmethod
    def _upsert_sql(shape: dml.BatchShape, stream: str) -> str:
        return dml.merge_upserts(shape, stream) if shape.keys else dml.append_rows(shape, stream)

    def _scan(self, source: str, step: str, stream: ArrowStreamLike | None, sql: Callable[[str], str]) -> int:
        """Run the one statement that reads ``stream``; 0 when there is no stream."""
        if stream is None:
            return 0
        with self._registered(stream) as name:
            return self._count(source, step, sql(name))

    @contextmanager
    def _registered(self, stream: ArrowStreamLike) -> Iterator[str]:
        """Register the stream's capsule (one export: see the module docstring) under a fresh name.

        Registration is transactional: after a failed statement DuckDB refuses the unregister (the transaction
        is aborted) and the caller's ROLLBACK removes the registration, so that refusal is expected.
        """
        self._streams += 1
        name = f"__cdc_stream_{self._streams}"
        self._conn.register(name, stream.__arrow_c_stream__())
        try:
            yield name
        finally:
            with suppress(duckdb.TransactionException):
                self._conn.unregister(name)

    def _count(self, source: str, step: str, sql: str, params: list[object] | None = None) -> int:
        """Execute one statement; the number of rows it changed (0 for DDL)."""
        try:
            row = self._conn.execute(sql, params).fetchone()
        except duckdb.Error as exc:
            raise ApplyError(source, step, exc, table_level=not isinstance(exc, _PROCESS_ERRORS)) from exc
        return int(row[0]) if row and isinstance(row[0], int) else 0

    def drop_table(self, schema: str, table: str) -> bool:
        """Drop the DuckDB copy of ``schema.table`` (to rebuild it from a snapshot); False when absent."""
        target = target_table(schema, table)
        if not self.existing_columns(target):
            return False
        self._known.forget(source_key(schema, table))
        self._count(source_key(schema, table), "drop it", f"DROP TABLE {target.sql}")
        self._follower.forget(self, source_key(schema, table))
        return True
