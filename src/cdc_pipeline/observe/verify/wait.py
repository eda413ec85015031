"""Waiting until DuckDB holds everything PostgreSQL had committed when a check began.

1. Commit a logical decoding message (:func:`marker_lsn`): every transaction committed before ends below it.
2. Wait until the connector's replication slot has ``confirmed_flush_lsn`` >= that LSN: Debezium confirms a
   position only after Kafka acknowledged the events before it, so they are all in Kafka now.
3. Read the high watermark (end offset) of every partition of the tables' topics, and wait until
   ``_cdc.offsets`` in DuckDB reaches it: the sink commits offsets in the same transaction as the rows.

Either wait can time out (connector stopped, sink stopped or behind): that is :class:`UndecidedError`,
saying which step and why, never a guess.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import Replica, fetch, in_list
from cdc_pipeline.sink.bookkeeping import OFFSETS

POLL_S = 0.5
KAFKA_TIMEOUT_MS = 5000
Partition = tuple[str, int]


class UndecidedError(CdcError):
    """No consistent point could be reached; the message says which step failed and why."""


@dataclass(frozen=True)
class ConsistentPoint:
    lsn: str  # PostgreSQL's WAL position when the check began
    ends: dict[Partition, int]  # end offsets DuckDB has reached
    waited_s: float


def current_lsn(pg: psycopg.Connection[Any]) -> str:
    row = pg.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    return str(row[0]) if row else "0/0"


def marker_lsn(pg: psycopg.Connection[Any]) -> str:
    """Commit a logical decoding message and return its LSN: everything committed before it is below it.

    Why a message and not ``pg_current_wal_lsn()``: on a quiet database Debezium has nothing to confirm, so
    its slot never reaches the current WAL position (other databases and checkpoints keep writing WAL). The
    message flows through the slot like a change (Debezium sends it to ``<prefix>.message``, which the sink
    ignores), so the slot confirms past it within an offset flush.
    """
    try:
        row = pg.execute("SELECT pg_logical_emit_message(true, 'cdc_pipeline.verify', '')::text").fetchone()
    except psycopg.Error:  # no privilege: fall back to the WAL position (may wait longer on a quiet database)
        pg.rollback()
        return current_lsn(pg)
    if not pg.autocommit:
        pg.commit()
    return str(row[0]) if row else current_lsn(pg)


def _slot_position(pg: psycopg.Connection[Any], slot: str, lsn: str) -> tuple[str | None, bool]:
    row = pg.execute(
        "SELECT confirmed_flush_lsn::text, confirmed_flush_lsn >= %s::pg_lsn FROM pg_replication_slots "
        "WHERE slot_name = %s",
        (lsn, slot),
    ).fetchone()
    if row is None:
        raise UndecidedError(
            f"could not reach a consistent point: replication slot {slot} does not exist",
            "register the connector (`cdc up --sample` or `cdc connectors apply`)",
        )
    return row[0], bool(row[1])


def wait_for_slot(pg: psycopg.Connection[Any], slot: str, lsn: str, deadline: float) -> None:
    while True:
        confirmed, reached = _slot_position(pg, slot, lsn)
        if reached:
            return
        if time.monotonic() >= deadline:
            raise UndecidedError(
                f"could not reach a consistent point: replication slot {slot} confirmed {confirmed}, "
                f"PostgreSQL was at {lsn} when the check began",
                "is the connector running (`cdc status`)? Debezium confirms after Kafka Connect flushes "
                "offsets; raise --timeout",
            )
        time.sleep(POLL_S)


def _core_watermarks() -> tuple[Callable[..., list[tuple[str, int]]], Callable[..., tuple[int, int]]]:
    from cdc_pipeline import _core  # noqa: PLC0415 (the extension loads only when Kafka is needed)

    watermarks = getattr(_core, "query_watermarks", None)
    if watermarks is None:
        raise UndecidedError(
            "could not reach a consistent point: the installed cdc_pipeline._core has no query_watermarks",
            "rebuild the C++ core (`make setup`)",
        )
    return _core.cluster_metadata, watermarks


def end_offsets(bootstrap: str, topics: Sequence[str]) -> dict[Partition, int]:
    """The high watermark of every partition of ``topics`` that exists (a table never changed has none)."""
    metadata, watermarks = _core_watermarks()
    try:
        partitions = dict(metadata(bootstrap, KAFKA_TIMEOUT_MS))
        ends: dict[Partition, int] = {}
        for topic in topics:
            for partition in range(partitions.get(topic, 0)):
                low, high = watermarks(bootstrap, topic, partition, KAFKA_TIMEOUT_MS)
                if high > low:
                    ends[(topic, partition)] = high
    except RuntimeError as exc:  # _core.KafkaError
        raise UndecidedError(f"could not reach a consistent point: Kafka at {bootstrap}: {exc}") from exc
    return ends


def applied_offsets(replica: Replica, topics: Sequence[str]) -> dict[Partition, int]:
    if not topics:
        return {}
    sql = f'SELECT "topic", "partition", "next_offset" FROM {OFFSETS} WHERE "topic" IN ({in_list(topics)})'
    return {(str(t), int(p)): int(n) for t, p, n in fetch(replica, sql)}


def behind(ends: dict[Partition, int], applied: dict[Partition, int]) -> dict[Partition, int]:
    """Partitions DuckDB has not applied up to their end offset, with how many messages are missing."""
    return {key: end - applied.get(key, 0) for key, end in ends.items() if applied.get(key, 0) < end}


def wait_for_sink(replica: Replica, ends: dict[Partition, int], deadline: float) -> None:
    topics = sorted({topic for topic, _ in ends})
    while True:
        missing = behind(ends, applied_offsets(replica, topics))
        if not missing:
            return
        if time.monotonic() >= deadline:
            shown = ", ".join(f"{t}[{p}] {n} behind" for (t, p), n in sorted(missing.items())[:5])
            raise UndecidedError(
                f"could not reach a consistent point: DuckDB has not applied Kafka up to the end offsets "
                f"read when the check began ({shown})",
                "is the sink running and not stopped (`cdc status`)? raise --timeout",
            )
        time.sleep(POLL_S)


def reach_consistent_point(
    pg: psycopg.Connection[Any],
    replica: Replica,
    *,
    slot: str,
    bootstrap: str,
    topics: Sequence[str],
    timeout_s: float,
) -> ConsistentPoint:
    """Steps 1-3 of the module docstring, within ``timeout_s`` in total."""
    started = time.monotonic()
    deadline = started + timeout_s
    lsn = marker_lsn(pg)
    wait_for_slot(pg, slot, lsn, deadline)
    ends = end_offsets(bootstrap, topics)
    wait_for_sink(replica, ends, deadline)
    return ConsistentPoint(lsn=lsn, ends=ends, waited_s=time.monotonic() - started)
