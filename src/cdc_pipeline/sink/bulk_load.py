"""Load one table straight from PostgreSQL into DuckDB: the fast path of `cdc tables resnapshot`.

Debezium's incremental snapshot sends a table through Kafka in chunks (2,500 rows/s measured here); this
reads it with one ``COPY ... TO STDOUT (FORMAT csv)`` in a ``REPEATABLE READ`` transaction, parses the CSV
with pyarrow and appends it to a staging table in DuckDB, in a thread of the sink process (the other tables
flow meanwhile). Then the sink loop swaps it in, in one transaction of its own (:func:`swap`).

Consistent with the stream, exactly once:

1. the caller reads the table's high watermarks BEFORE the load starts (``next_offsets``);
2. the load's snapshot (``pg_current_snapshot()``) is taken in the transaction that reads the rows;
3. the swap moves the table's partitions back to those watermarks and records the snapshot; every streaming
   event after them is applied unless its transaction is one the snapshot saw, which the core drops
   (``core/include/cdc/pipeline/loaded_snapshot.hpp``). Nothing is lost (every transaction the snapshot did
   not see commits after step 2, so its events are after the watermarks) and nothing is applied twice.
4. Once no transaction older than the snapshot can still commit, the WAL position then (``clear_lsn``) is
   recorded; when the table's applied position passes it the filter is dropped (it is exact for 2^31 more
   transactions, after which 32-bit xids would wrap).

Readers see the table's old copy until the swap commits and the new one after; `cdc status` and the
command's progress bar show rows, rows/s and an ETA while it loads.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
from psycopg import sql

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import render_table, split_column
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.sink.batch import TableBatch
from cdc_pipeline.sink.load_plan import LoadPlan, SourceColumn, plan
from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, quote_ident, source_key, target_table

if TYPE_CHECKING:
    import duckdb
    from cdc_pipeline.sink.admin import AdminQueue
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget
    from cdc_pipeline.sink.stats import SinkStats

log = logging.getLogger("cdc_pipeline.sink")

# The captured columns (generated ones are not sent by pgoutput) with their base type, typmod and whether
# they are NOT NULL, and the primary key's columns.
_COLUMNS = """
SELECT a.attname, b.typname, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
       a.attnotnull, b.typcategory = 'A'
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attnum
"""
_KEY = """
SELECT a.attname FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
WHERE n.nspname = %s AND c.relname = %s AND i.indisprimary
"""
_ESTIMATE = """
SELECT GREATEST(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s
"""
# Text that the load plan's DuckDB expressions read back exactly (bytea as hex, every float digit).
_SESSION = ("SET TimeZone = 'UTC'", "SET extra_float_digits = 3", "SET bytea_output = 'hex'")
_SETTLED_S = 30.0  # how long the load waits for transactions older than its snapshot to end


@dataclass
class LoadProgress:
    """One load, as `cdc status` and the command's progress bar show it."""

    table: str
    state: str = "loading"  # loading -> swapping -> done | failed
    rows: int = 0
    estimated_rows: int = 0  # PostgreSQL's reltuples (0: never analyzed)
    started: float = field(default_factory=time.time)
    finished: float | None = None
    snapshot: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        elapsed = max(1e-6, (self.finished or time.time()) - self.started)
        rate = self.rows / elapsed
        left = max(0, self.estimated_rows - self.rows)
        eta = round(left / rate, 1) if rate > 0 and self.state == "loading" and self.estimated_rows else None
        return {**asdict(self), "rows_per_second": round(rate, 1), "eta_seconds": eta}


@dataclass(frozen=True)
class LoadRequest:
    schema: str
    table: str
    topic: str
    next_offsets: dict[int, int]  # the table's high watermarks, read before the load

    @property
    def source(self) -> str:
        return source_key(self.schema, self.table)


def read_plan(conn: psycopg.Connection[Any], settings: Settings, request: LoadRequest) -> LoadPlan | str:
    """The load plan of the table as the catalog has it now, or why it goes through Debezium instead."""
    if render_table(request.schema, request.table) in settings.key_columns:
        return f"table {request.source} is keyed by key_columns (its snapshot goes through Debezium)"
    excluded = {split_column(c) for c in settings.exclude_columns}
    rows = conn.execute(_COLUMNS, (request.schema, request.table)).fetchall()
    if not rows:
        return f"table {request.source} does not exist in PostgreSQL"
    columns = [
        SourceColumn(str(name), str(typname), int(typmod), bool(not_null), bool(array))
        for name, typname, typmod, not_null, array in rows
        if (request.schema, request.table, str(name)) not in excluded
    ]
    key = [str(name) for (name,) in conn.execute(_KEY, (request.schema, request.table)).fetchall()]
    return plan(request.schema, request.table, columns, key)


class _CopyReader(io.RawIOBase):
    """COPY's output as a file pyarrow's streaming CSV reader pulls from."""

    def __init__(self, blocks: Iterator[memoryview]) -> None:
        self._blocks = blocks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._pending = bytes(block)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _blocks(copy: psycopg.Copy) -> Iterator[memoryview]:
    while block := copy.read():
        yield memoryview(block)


def staging_name(source: str) -> str:
    return f"{quote_ident(BOOKKEEPING_SCHEMA)}.{quote_ident('load ' + source)}"


def _create_staging(cursor: duckdb.DuckDBPyConnection, load_plan: LoadPlan, staging: str) -> None:
    columns = ", ".join(f"{quote_ident(c.column.name)} {c.column.duck_type}" for c in load_plan.columns)
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TABLE {staging} ({columns})")


def copy_table(
    settings: Settings,
    load_plan: LoadPlan,
    cursor: duckdb.DuckDBPyConnection,
    progress: LoadProgress,
    on_progress: Callable[[LoadProgress], None],
) -> tuple[str, int | None]:
    """Read the table in one snapshot into its staging table; ``(snapshot text, clear LSN or None)``."""
    staging = staging_name(source_key(load_plan.schema, load_plan.table))
    _create_staging(cursor, load_plan, staging)
    names = [f"v{i}" for i in range(len(load_plan.columns))]
    select = sql.SQL("COPY (SELECT {} FROM {}.{}) TO STDOUT (FORMAT csv)").format(
        sql.SQL(", ").join(sql.SQL(c.select_sql) for c in load_plan.columns),
        sql.Identifier(load_plan.schema),
        sql.Identifier(load_plan.table),
    )
    reads = ", ".join(c.read_sql for c in load_plan.columns)
    with psycopg.connect(postgres_dsn(settings), connect_timeout=10) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        for statement in _SESSION:
            conn.execute(statement)  # SET only: the snapshot is taken by the first query below
        [(snapshot,)] = conn.execute("SELECT pg_current_snapshot()::text").fetchall()
        progress.snapshot = str(snapshot)
        [(estimate,)] = conn.execute(_ESTIMATE, (load_plan.schema, load_plan.table)).fetchall() or [(0,)]
        progress.estimated_rows = int(estimate or 0)
        with conn.cursor().copy(select) as copy:
            reader = pa_csv.open_csv(
                io.BufferedReader(_CopyReader(_blocks(copy)), buffer_size=1 << 20),
                read_options=pa_csv.ReadOptions(column_names=names, block_size=16 << 20),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                    null_values=[""],
                ),
            )
            for chunk in reader:
                cursor.register("cdc_load_chunk", pa.Table.from_batches([chunk]))
                cursor.execute(f"INSERT INTO {staging} SELECT {reads} FROM cdc_load_chunk")
                cursor.unregister("cdc_load_chunk")
                progress.rows += chunk.num_rows
                on_progress(progress)
        conn.commit()
    return str(snapshot), _clear_lsn(settings, str(snapshot))


def _clear_lsn(settings: Settings, snapshot: str) -> int | None:
    """The WAL position once no transaction older than the snapshot's xmax can still commit (None when one
    still runs after :data:`_SETTLED_S`: the filter then stays until the next load)."""
    xmax = int(snapshot.split(":")[1])
    deadline = time.monotonic() + _SETTLED_S
    with psycopg.connect(postgres_dsn(settings), autocommit=True, connect_timeout=10) as conn:
        while True:
            row = conn.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot()) >= %s::text::xid8, "
                "(pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint",
                (str(xmax),),
            ).fetchone()
            if row is not None and row[0]:
                return int(row[1])
            if time.monotonic() > deadline:
                log.warning("a transaction older than the load's snapshot still runs: its filter stays")
                return None
            time.sleep(0.2)


def swap(
    request: LoadRequest, load_plan: LoadPlan, snapshot: str, clear_lsn: int | None
) -> Callable[[DuckDBTarget], int]:
    """The sink loop's action: the load replaces the table, in one transaction; the rows it holds."""

    def action(target: DuckDBTarget) -> int:
        staging = staging_name(request.source)
        target.drop_table(request.schema, request.table)
        columns = [c.column for c in load_plan.columns]
        changes = TableBatch(request.topic, request.schema, request.table, columns, load_plan.key_columns)
        target.evolve(changes)  # the table exactly as streaming creates it (column identities too)
        table = target_table(request.schema, request.table)
        names = ", ".join(quote_ident(c.name) for c in columns)
        rows = target.execute(
            request.source, "load it", f"INSERT INTO {table.sql} ({names}) SELECT {names} FROM {staging}"
        )
        target.execute(request.source, "drop its staging", f"DROP TABLE {staging}")
        for partition, offset in sorted(request.next_offsets.items()):
            target.set_offset(request.topic, partition, offset)
        clear = clear_lsn if len(request.next_offsets) <= 1 else None  # order holds per partition only
        target.record_load(request.source, table.sql, snapshot, clear)
        return rows

    return action


class LoadRunner:
    """Starts loads (endpoint threads), runs each in a thread of its own, hands the swap to the loop."""

    def __init__(
        self,
        settings: Settings,
        cursor: Callable[[], duckdb.DuckDBPyConnection],
        admin: AdminQueue,
        stats: SinkStats,
    ) -> None:
        self._settings, self._cursor, self._admin, self._stats = settings, cursor, admin, stats
        self._running: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def start(self, request: LoadRequest) -> LoadProgress:
        """Plan the load and start it; CdcError (with the way to a Debezium snapshot) when it cannot run."""
        with self._lock:
            if request.source in self._running and self._running[request.source].is_alive():
                raise CdcError(
                    f"table {request.source} is being loaded already", "watch it with `cdc status`"
                )
        try:
            with psycopg.connect(postgres_dsn(self._settings), autocommit=True, connect_timeout=10) as conn:
                load_plan = read_plan(conn, self._settings, request)
        except psycopg.Error as exc:
            raise CdcError(f"cannot read the catalog of {request.source} in PostgreSQL: {exc}") from exc
        if isinstance(load_plan, str):
            raise CdcError(load_plan, f"run `cdc tables resnapshot {request.source} --via debezium`")
        progress = LoadProgress(request.source)
        self._stats.record_load(request.source, progress.to_json())
        thread = threading.Thread(
            target=self._run, args=(request, load_plan, progress), name=f"load {request.source}", daemon=True
        )
        with self._lock:
            self._running[request.source] = thread
        thread.start()
        return progress

    def _publish(self, progress: LoadProgress) -> None:
        self._stats.record_load(progress.table, progress.to_json())

    def _run(self, request: LoadRequest, load_plan: LoadPlan, progress: LoadProgress) -> None:
        cursor = self._cursor()
        try:
            snapshot, clear_lsn = copy_table(self._settings, load_plan, cursor, progress, self._publish)
            progress.state = "swapping"
            self._publish(progress)
            progress.rows = int(self._admin.submit(swap(request, load_plan, snapshot, clear_lsn), 3600.0))
            progress.state = "done"
            log.info(
                "loaded %s from PostgreSQL: %d rows in %.1f s (snapshot %s)",
                request.source,
                progress.rows,
                time.time() - progress.started,
                snapshot,
            )
        except Exception as exc:  # reported in status and the log; the old copy stays as it was
            progress.state, progress.error = "failed", f"{type(exc).__name__}: {exc}"
            log.error("loading %s from PostgreSQL failed: %s", request.source, progress.error)
            try:
                cursor.execute(f"DROP TABLE IF EXISTS {staging_name(request.source)}")
            except Exception:
                log.warning("could not drop the staging table of %s", request.source)
        finally:
            progress.finished = time.time()
            self._publish(progress)
            cursor.close()


__all__ = ["LoadProgress", "LoadRequest", "LoadRunner"]
