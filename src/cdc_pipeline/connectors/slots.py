"""The connector's footprint in PostgreSQL: the signal table, the replication slot and the publication.

Creating the signal table and sending it a snapshot signal; finding and dropping a slot; dropping a
publication; one look at a slot's replication progress for `cdc status` and stall detection.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.source_db import Connection, SlotFacts, _int, connect, slots
from cdc_pipeline.errors import CdcError


def ensure_signal_table(settings: Settings, table: TableRef) -> None:
    """Create Debezium's signal table if missing (the DDL of Debezium's signalling documentation)."""
    statement = sql.SQL(
        "CREATE TABLE IF NOT EXISTS {} (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, "
        "data VARCHAR(2048) NULL)"
    ).format(sql.Identifier(table.schema, table.table))
    with connect(settings) as conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            raise CdcError(
                f"cannot create the signal table {table.qualified}: {str(exc).strip()}",
                f"create it as a user allowed to, or choose another signal_table (now {table.qualified})",
            ) from exc


def send_snapshot_signal(settings: Settings, signal: TableRef, tables: Sequence[TableRef]) -> str:
    """Ask the running connector for an incremental snapshot of ``tables`` only; returns the signal's id."""
    signal_id = f"cdc-add-{uuid.uuid4().hex[:24]}"
    data = json.dumps({"data-collections": [t.pattern for t in tables], "type": "incremental"})
    statement = sql.SQL("INSERT INTO {} (id, type, data) VALUES (%s, 'execute-snapshot', %s)").format(
        sql.Identifier(signal.schema, signal.table)
    )
    with connect(settings) as conn:
        conn.execute(statement, (signal_id, data))
    return signal_id


def find_slot(settings: Settings, name: str) -> SlotFacts | None:
    with connect(settings) as conn:
        return next((s for s in slots(conn) if s.name == name), None)


def drop_slot(settings: Settings, name: str, wait_s: float = 30.0) -> tuple[str, SlotFacts | None]:
    """Drop the slot once inactive (Connect stops a deleted connector's task asynchronously).

    Returns ``("dropped" | "absent", None)``, or ``("still active", slot)`` after ``wait_s``.
    """
    deadline = time.monotonic() + wait_s
    with connect(settings) as conn:
        while True:
            slot = next((s for s in slots(conn) if s.name == name), None)
            if slot is None:
                return "absent", None
            if not slot.active:
                conn.execute("SELECT pg_drop_replication_slot(%s)", (name,))
                return "dropped", None
            if time.monotonic() >= deadline:
                return "still active", slot
            time.sleep(0.5)


def drop_publication(settings: Settings, name: str) -> bool:
    """Drop the publication; False when it did not exist."""
    with connect(settings) as conn:
        exists = conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (name,)).fetchone()
        conn.execute(sql.SQL("DROP PUBLICATION IF EXISTS {}").format(sql.Identifier(name)))
        return exists is not None


@dataclass(frozen=True)
class SlotReplication:
    """One look at a slot and the walsender holding it (for `cdc status` lag and stall detection)."""

    slot: str
    exists: bool
    wal_lsn: int  # pg_current_wal_lsn() now
    confirmed_flush_lsn: int | None = None  # what the slot's client confirmed; None: slot absent
    active: bool = False
    active_pid: int | None = None  # the walsender holding the slot
    holder: str | None = None  # that walsender's application_name (pg_stat_replication)
    holder_state: str | None = None  # streaming | catchup | startup ...
    table_changes: int | None = None  # see table_changes(); None when no table was asked about


_SLOT_REPLICATION = """
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, s.slot_name IS NOT NULL,
       pg_wal_lsn_diff(s.confirmed_flush_lsn, '0/0')::bigint, coalesce(s.active, false), s.active_pid,
       r.application_name, r.state
FROM (SELECT 1) AS one
LEFT JOIN pg_replication_slots s ON s.slot_name = %s
LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
"""


def slot_replication(settings: Settings, name: str, tables: Sequence[TableRef] = ()) -> SlotReplication:
    """The slot's confirmed position against the current WAL position, who holds it, and how many rows
    of ``tables`` were changed so far."""
    with connect(settings) as conn:
        row = conn.execute(_SLOT_REPLICATION.encode(), (name,)).fetchone()
        changes = table_changes(conn, tables)
    assert row is not None  # SELECT FROM (SELECT 1) always returns one row
    wal, exists, confirmed, active, pid, holder, state = row
    return SlotReplication(
        slot=name,
        exists=bool(exists),
        wal_lsn=int(str(wal)),
        confirmed_flush_lsn=_int(confirmed),
        active=bool(active),
        active_pid=_int(pid),
        holder=None if holder is None else str(holder),
        holder_state=None if state is None else str(state),
        table_changes=changes,
    )


def table_changes(conn: Connection, tables: Sequence[TableRef]) -> int | None:
    """Rows inserted, updated and deleted in ``tables`` since the statistics were reset (None: none found).

    From ``pg_stat_user_tables``, which counts a transaction's rows when it ends (rolled back ones too).
    """
    if not tables:
        return None
    row = conn.execute(
        "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::bigint FROM pg_stat_user_tables s "
        "JOIN unnest(%s::text[], %s::text[]) AS wanted(sch, tab) "
        "  ON s.schemaname = wanted.sch AND s.relname = wanted.tab",
        ([t.schema for t in tables], [t.table for t in tables]),
    ).fetchone()
    return _int(row[0]) if row else None
