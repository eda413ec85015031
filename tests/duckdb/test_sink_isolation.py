"""Isolation in the commit protocol: one table's trouble stops that table only, and the way back.

The batches go through the real C++ decode/coalesce path (``batches_from_records``) into an embedded DuckDB
file; only Kafka is replaced by a list (the source's contract: next_batch / rewind / start / commit).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink import tables_admin
from cdc_pipeline.sink.admin import AdminQueue, run_action
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.protocol import commit_batch
from cdc_pipeline.sink.source import BadRecord, Batch, batches_from_records

ENVELOPES = Path(__file__).resolve().parents[2] / "core" / "tests" / "data" / "envelopes"
PREFIX = "dbserver1"


def record(schema: str, table: str, offset: int, name: str = "create") -> tuple[str, int, int, bytes, bytes]:
    """A real Debezium envelope (users) re-addressed to ``schema.table``."""
    envelope = json.loads((ENVELOPES / f"{name}.json").read_text())
    envelope["payload"]["source"].update(schema=schema, table=table)
    key = json.dumps({"schema": {"type": "struct", "fields": []}, "payload": {"id": 1}}).encode()
    return (f"{PREFIX}.{schema}.{table}", 0, offset, key, json.dumps(envelope).encode())


class ListSource:
    """Batches from a list; ``start`` re-reads ``replay`` (what Kafka hands back from DuckDB's offsets)."""

    def __init__(self, batches: list[Batch], replay: list[Batch] | None = None) -> None:
        self.batches = batches
        self.replay = replay or []
        self.rewound: list[str] = []
        self.starts = 0
        self.committed: list[tuple[str, int, int]] = []

    def next_batch(self) -> Batch:
        return self.batches.pop(0) if self.batches else Batch(0, 0, [], [])

    def start(self, committed: Any, applied: Any = (), loaded: Any = None) -> None:
        self.starts += 1
        self.batches = list(self.replay)

    def rewind(self, topics: Any) -> None:
        self.rewound.extend(sorted(set(topics)))

    def commit(self, offsets: Any) -> None:
        self.committed.extend(offsets)

    def table_of_topic(self, topic: str) -> str:
        return topic.removeprefix(f"{PREFIX}.")


@pytest.fixture()
def target(tmp_path: Path) -> Iterator[DuckDBTarget]:
    with DuckDBTarget(tmp_path / "sink.duckdb") as target:
        yield target


def one_batch(*records: tuple[str, int, int, bytes, bytes]) -> Batch:
    (batch,) = batches_from_records(list(records))
    return batch


def scalar(target: DuckDBTarget, sql: str) -> Any:
    row = target.cursor().execute(sql).fetchone()
    return None if row is None else row[0]


def test_a_table_duckdb_refuses_is_stopped_and_the_batch_reruns_without_it(target: DuckDBTarget) -> None:
    # DuckDB will refuse every row of orders (a CHECK the source does not have): an ApplyError for that table.
    target.cursor().execute(
        "CREATE TABLE orders (id INTEGER CHECK (id < 0), name VARCHAR, email VARCHAR, created_at TIMESTAMPTZ)"
    )
    batch = one_batch(record("public", "orders", 0), record("public", "users", 0))
    source = ListSource(
        [batch], replay=[one_batch(record("public", "orders", 0), record("public", "users", 0))]
    )
    stopped: dict[str, str] = {}

    first = commit_batch(source, target, stopped)  # type: ignore[arg-type]
    assert first is not None and list(first.stopped) == ["public.orders"]
    assert "cdc tables resume public.orders" in first.stopped["public.orders"]
    assert source.starts == 1, "the source re-reads the batch from DuckDB's offsets"
    assert scalar(target, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'users'") == 0, (
        "rolled back"
    )

    second = commit_batch(source, target, stopped)  # type: ignore[arg-type]
    assert second is not None and second.tables == ["public.users"]
    assert scalar(target, "SELECT count(*) FROM users") == 1
    assert source.rewound == ["dbserver1.public.orders"]
    assert target.read_offsets() == {("dbserver1.public.users", 0): 1}, (
        "the held table's offset is not written"
    )
    row = (
        target.cursor()
        .execute(
            "SELECT state, stopped_topic, stopped_partition, stopped_offset FROM _cdc.tables "
            "WHERE source_table = 'public.orders'"
        )
        .fetchone()
    )
    assert row == ("stopped", "dbserver1.public.orders", 0, 0)


def test_a_table_stopped_by_duckdb_is_applied_again_after_the_fix_and_resume(target: DuckDBTarget) -> None:
    """The way back its message names: fix the cause, `cdc tables resume`; the held batch lands."""
    target.cursor().execute(
        "CREATE TABLE orders (id INTEGER CHECK (id < 0), name VARCHAR, email VARCHAR, created_at TIMESTAMPTZ)"
    )
    source = ListSource(
        [one_batch(record("public", "orders", 0), record("public", "users", 0))],
        replay=[one_batch(record("public", "users", 0))],
    )
    stopped: dict[str, str] = {}
    first = commit_batch(source, target, stopped)  # type: ignore[arg-type]
    assert first is not None and list(first.stopped) == ["public.orders"]
    commit_batch(source, target, stopped)  # type: ignore[arg-type]  # users applied, orders held at offset 0
    assert target.read_offsets() == {("dbserver1.public.users", 0): 1}

    target.cursor().execute("DROP TABLE orders")  # the fix: the CHECK the source does not have is gone
    report = run_action(target, tables_admin.resume("public.orders"))
    assert report.resumes_at == [("dbserver1.public.orders", 0, 0)], "applied again from its held record"
    assert target.stopped_tables() == {}
    stopped.clear()
    stopped.update(target.stopped_tables())  # what the loop's re-sync does after a moving request
    source.batches = [
        one_batch(record("public", "orders", 0)),
        one_batch(record("public", "orders", 1, "update")),
    ]

    for _ in range(2):
        again = commit_batch(source, target, stopped)  # type: ignore[arg-type]
        assert again is not None and again.stopped == {} and again.tables == ["public.orders"]
    assert scalar(target, "SELECT count(*) FROM orders") == 1
    assert target.read_offsets()[("dbserver1.public.orders", 0)] == 2
    assert scalar(target, "SELECT state FROM _cdc.tables WHERE source_table = 'public.orders'") == "running"


def test_a_source_schema_named_cdc_never_touches_the_bookkeeping(target: DuckDBTarget) -> None:
    source = ListSource([one_batch(record("_cdc", "offsets", 0), record("public", "users", 0))])
    stopped: dict[str, str] = {}
    outcome = commit_batch(source, target, stopped)  # type: ignore[arg-type]
    assert outcome is not None and list(outcome.stopped) == ["_cdc.offsets"]
    assert "bookkeeping" in outcome.stopped["_cdc.offsets"]
    assert outcome.tables == ["public.users"]
    assert target.read_offsets() == {("dbserver1.public.users", 0): 1}
    columns = target.cursor().execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'offsets'")
    assert [c[0] for c in columns.fetchall()] == ["topic", "partition", "next_offset"]


def test_a_truncate_of_a_table_not_created_yet_is_a_no_op(target: DuckDBTarget) -> None:
    # pgbench truncates pgbench_history before every run; Debezium's truncate event describes no row.
    source = ListSource([one_batch(record("public", "history", 0, "truncate"))])
    outcome = commit_batch(source, target, {})  # type: ignore[arg-type]
    assert outcome is not None and outcome.stopped == {}
    assert target.read_offsets() == {("dbserver1.public.history", 0): 1}


def bad_batch() -> Batch:
    good = one_batch(record("public", "users", 0), record("public", "orders", 0))
    bad = BadRecord("dbserver1.public.orders", 0, 1, "public.orders", "name", "value does not fit")
    return Batch(good.events, good.bytes, good.tables, good.offsets, error=bad)


def test_a_bad_record_stops_its_table_exactly_there(target: DuckDBTarget) -> None:
    source = ListSource([bad_batch()])
    outcome = commit_batch(source, target, {})  # type: ignore[arg-type]
    assert outcome is not None and list(outcome.stopped) == ["public.orders"] and outcome.bad_record is None
    assert sorted(outcome.tables) == ["public.orders", "public.users"], "the records before it are applied"
    assert target.read_offsets() == {("dbserver1.public.users", 0): 1, ("dbserver1.public.orders", 0): 1}
    assert source.rewound == ["dbserver1.public.orders"]
    [state] = [t for t in run_action(target, tables_admin.list_tables()).tables if t.state == "stopped"]
    assert (state.stopped_topic, state.stopped_partition, state.stopped_offset) == (
        "dbserver1.public.orders",
        0,
        1,
    )
    assert (
        state.fix == "cdc tables skip public.orders --topic dbserver1.public.orders --partition 0 --offset 1"
    )


def test_policy_stop_sink_hands_the_bad_record_to_the_loop(target: DuckDBTarget) -> None:
    outcome = commit_batch(ListSource([bad_batch()]), target, {}, "stop-sink")  # type: ignore[arg-type]
    assert outcome is not None and outcome.bad_record is not None and outcome.stopped == {}


def test_skip_passes_exactly_the_held_record_and_is_audited(
    target: DuckDBTarget, caplog: pytest.LogCaptureFixture
) -> None:
    commit_batch(ListSource([bad_batch()]), target, {})  # type: ignore[arg-type]
    topic = "dbserver1.public.orders"
    with pytest.raises(CdcError, match=r"held at topic dbserver1\.public\.orders partition 0 offset 1"):
        run_action(target, tables_admin.skip("public.orders", topic, 0, 2))
    with caplog.at_level(logging.WARNING, logger="cdc_pipeline.sink"):
        report = run_action(target, tables_admin.skip("public.orders", topic, 0, 1))
    assert report.resumes_at == [(topic, 0, 2)]
    assert f"cdc tables skip public.orders: skipped topic {topic} partition 0 offset 1" in caplog.text
    assert target.read_offsets()[(topic, 0)] == 2
    assert target.stopped_tables() == {}
    audit = target.cursor().execute('SELECT topic, "partition", "offset", source_table FROM _cdc.skipped')
    assert audit.fetchall() == [(topic, 0, 1, "public.orders")]
    assert scalar(target, "SELECT records_skipped FROM _cdc.tables WHERE source_table = 'public.orders'") == 1
    with pytest.raises(CdcError, match="not stopped"):
        run_action(target, tables_admin.resume("public.orders"))


def test_resnapshot_drops_the_copy_and_moves_the_table_to_its_watermarks(target: DuckDBTarget) -> None:
    commit_batch(ListSource([bad_batch()]), target, {})  # type: ignore[arg-type]
    topic = "dbserver1.public.orders"
    report = run_action(target, tables_admin.resnapshot("public", "orders", topic, {0: 7}))
    assert report.resumes_at == [(topic, 0, 7)]
    assert scalar(target, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'orders'") == 0
    assert target.stopped_tables() == {}
    assert scalar(target, "SELECT count(*) FROM users") == 1, "the other tables are untouched"


def test_admin_requests_run_in_the_loop_thread_and_report_back(target: DuckDBTarget) -> None:
    queue = AdminQueue()
    results: list[Any] = []

    def requester() -> None:
        results.append(queue.submit(tables_admin.list_tables(), timeout_s=30))
        try:
            queue.submit(tables_admin.resume("public.nope"), timeout_s=30)
        except CdcError as exc:
            results.append(exc)

    thread = threading.Thread(target=requester)
    thread.start()
    ran = 0
    while thread.is_alive() or ran < 2:
        ran += queue.run_pending(target)
        thread.join(0.01)
    assert isinstance(results[0], tables_admin.TablesReport)
    assert isinstance(results[1], CdcError) and "public.nope" in str(results[1])
