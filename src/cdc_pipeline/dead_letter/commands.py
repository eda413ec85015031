"""`cdc dead-letter list | replay`: read the dead-letter topic, and replay records by their key.

The rule replay follows is in :mod:`cdc_pipeline.dead_letter.records`. The I/O here: the dead-letter topic
through the core's consumer (its records carry the reason and origin as headers), PostgreSQL to find which
keys still exist, Debezium's signal table for the re-send, and the sink's admin action for the DuckDB side
(deletes and the ``_cdc.dead_letter`` audit).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from psycopg import sql

from cdc_pipeline import _core
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import slots, source_db
from cdc_pipeline.connectors.model import TableRef, signal_table
from cdc_pipeline.connectors.position import parse_lsn
from cdc_pipeline.dead_letter.records import (
    DeadLetter,
    Selection,
    describe_key,
    key_filter,
    parse,
    plan,
    signal_payloads,
)
from cdc_pipeline.errors import CdcError
from cdc_pipeline.tables import run_request

_TIMEOUT_MS = 10_000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListedRecord:
    record: DeadLetter
    replayed: str | None = None  # outcome of its latest replay
    replayed_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self.record), "replayed": self.replayed, "replayed_at": self.replayed_at}


@dataclass(frozen=True)
class DeadLetterList:
    topic: str
    records: list[ListedRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "records": [r.to_json() for r in self.records]}


def read_records(settings: Settings) -> list[DeadLetter]:
    """Every record of the dead-letter topic, in partition and offset order; [] when it does not exist."""
    topic = settings.dead_letter_topic
    bootstrap = settings.bootstrap_servers
    counts = [n for name, n in _core.cluster_metadata(bootstrap, _TIMEOUT_MS) if name == topic]
    if not counts:
        return []
    records: list[DeadLetter] = []
    consumer = _core.Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"cdc-dead-letter-{uuid.uuid4().hex[:8]}"}
    )
    try:
        for partition in range(counts[0]):
            low, high = _core.query_watermarks(bootstrap, topic, partition, _TIMEOUT_MS)
            if high <= low:
                continue
            consumer.assign([(topic, partition, low)])
            deadline = time.monotonic() + 60
            seen = low
            while seen < high:
                if time.monotonic() > deadline:
                    raise CdcError(
                        f"reading dead-letter topic {topic} partition {partition}: stopped at offset {seen} "
                        f"of "
                        f"{high} after 60 s",
                        "check Kafka with `cdc status`, then run the command again",
                    )
                for m in consumer.poll_batch(500, 500):
                    if m.topic != topic or m.partition != partition or m.offset >= high:
                        continue
                    seen = m.offset + 1
                    records.append(
                        parse(
                            m.topic,
                            m.partition,
                            m.offset,
                            m.timestamp_ms,
                            m.key,
                            m.value,
                            m.headers,
                            settings.topic_prefix,
                        )
                    )
    finally:
        consumer.close()
    return records


def _replayed(settings: Settings) -> dict[tuple[str, int, int], tuple[str, str]]:
    report = run_request(settings, {"action": "dead-letter-replayed"})
    rows = json.loads(getattr(report, "done", "[]"))
    return {(str(t), int(p), int(o)): (str(outcome), str(at)) for t, p, o, outcome, at in rows}


def list_dead_letters(settings: Settings, selection: Selection | None = None) -> DeadLetterList:
    selection = selection or Selection()
    chosen = [r for r in read_records(settings) if selection.matches(r)]
    replays: dict[tuple[str, int, int], tuple[str, str]] = {}
    if chosen and settings.duckdb_file.exists():
        try:
            replays = _replayed(settings)
        except CdcError as exc:  # the audit is a nicety of the list; the records themselves come from Kafka
            log.warning("replays unknown (%s)", exc)
    listed = []
    for r in chosen:
        outcome, at = replays.get((r.topic, r.partition, r.offset), (None, None))
        listed.append(ListedRecord(r, outcome, at))
    return DeadLetterList(settings.dead_letter_topic, listed)


@dataclass(frozen=True)
class ReplayLine:
    topic: str
    partition: int
    offset: int
    table: str | None
    key: str
    did: str


@dataclass(frozen=True)
class ReplayReport:
    lines: list[ReplayLine] = field(default_factory=list)
    signal_id: str | None = None
    audit: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _present_keys(
    settings: Settings, table: TableRef, keys: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The keys of ``keys`` that PostgreSQL's ``table`` holds, and the WAL position read just BEFORE the check
    (every transaction the check could have missed committed after it)."""
    columns = list(keys[0])
    statement = "SELECT {} FROM {} WHERE " + key_filter(keys)
    query = sql.SQL(statement).format(  # the filter is built from quoted identifiers and literals
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table.schema, table.table)
    )
    with source_db.connect(settings) as conn:
        lsn_row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        rows = conn.execute(query).fetchall()
    present = {tuple(row) for row in rows}
    checked_at = parse_lsn(str(lsn_row[0])) if lsn_row else 0
    return [k for k in keys if tuple(k[c] for c in columns) in present], checked_at


def _audit_row(r: DeadLetter, outcome: str) -> dict[str, Any]:
    return {
        "topic": r.topic,
        "partition": r.partition,
        "offset": r.offset,
        "source_topic": r.source_topic,
        "source_partition": r.source_partition,
        "source_offset": r.source_offset,
        "table": r.table,
        "reason": r.reason,
        "key": r.key,
        "outcome": outcome,
    }


def replay(settings: Settings, selection: Selection, attempts: int = 3) -> ReplayReport:
    """Replay the selected records by key (module doc of :mod:`.records`); per record, what was done."""
    records = [r for r in read_records(settings) if selection.matches(r)]
    if not records:
        raise CdcError(
            f"no record of dead-letter topic {settings.dead_letter_topic} matches {_described(selection)}",
            "list them with `cdc dead-letter list`",
        )
    done: dict[tuple[str, int, int], str] = {}
    signal_ids: list[str] = []
    audits: list[str] = []
    pending = records
    for attempt in range(attempts):
        outcomes, signal_id, audit = _replay_once(settings, pending)
        done.update(outcomes)
        signal_ids += [signal_id] if signal_id else []
        audits.append(audit)
        pending = [r for r in pending if outcomes[(r.topic, r.partition, r.offset)].startswith("not deleted")]
        if not pending:
            break
        if attempt + 1 < attempts:
            time.sleep(1.0)
    lines = [
        ReplayLine(
            r.topic,
            r.partition,
            r.offset,
            r.table,
            describe_key(r.key),
            done[(r.topic, r.partition, r.offset)],
        )
        for r in records
    ]
    return ReplayReport(lines, ", ".join(signal_ids) or None, "; ".join(audits))


def _replay_once(
    settings: Settings, records: list[DeadLetter]
) -> tuple[dict[tuple[str, int, int], str], str | None, str]:
    work = plan(records)
    present: dict[str, list[dict[str, Any]]] = {}
    checked_at: dict[str, int] = {}
    for table, keys in work.keys.items():
        present[table], checked_at[table] = _present_keys(settings, TableRef.parse(table), keys)
    signal_id = _send_signal(settings, present) if any(present.values()) else None
    audit = []
    for r in records:
        if r.key is None or r.table is None:
            row = _audit_row(
                r, f"not replayed: {r.key_problem}; rebuild it with `cdc tables resnapshot {r.table}`"
            )
        elif r.key in present.get(r.table, []):
            row = _audit_row(
                r, f"re-read by key from PostgreSQL: Debezium re-sends its current value (signal {signal_id})"
            )
        else:
            row = {**_audit_row(r, ""), "delete_checked_lsn": checked_at[r.table]}  # decided by the sink
        audit.append(row)
    report = run_request(settings, {"action": "dead-letter-replay", "records": audit})
    answer = json.loads(getattr(report, "done", "{}"))
    outcomes = {(str(t), int(p), int(o)): str(outcome) for t, p, o, outcome in answer["outcomes"]}
    return outcomes, signal_id, str(answer["summary"])


def _described(selection: Selection) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("table", selection.table),
            ("topic", selection.topic),
            ("partition", selection.partition),
            ("offset", selection.offset),
        )
        if value is not None
    ]
    return ", ".join(parts) or "(all)"


def _send_signal(settings: Settings, present: dict[str, list[dict[str, Any]]]) -> str:
    with source_db.connect(settings) as conn:
        facts = source_db.table_facts(conn, [TableRef.parse(t) for t in present])
    keyless = frozenset(f.table.qualified for f in facts if f.exists and not f.has_primary_key)
    signal = signal_table(settings)
    slots.ensure_signal_table(settings, signal)
    base = f"cdc-replay-{uuid.uuid4().hex[:16]}"
    statement = sql.SQL("INSERT INTO {} (id, type, data) VALUES (%s, 'execute-snapshot', %s)").format(
        sql.Identifier(signal.schema, signal.table)
    )
    with source_db.connect(settings) as conn:
        for n, data in enumerate(signal_payloads(present, keyless)):
            conn.execute(statement, (f"{base}-{n}", data))
    return base
