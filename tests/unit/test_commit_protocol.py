"""The commit protocol (sink/protocol.py) against a fake source and a fake target, step by step.

The fake target keeps its state in dictionaries with real transaction semantics: ``begin`` copies the
committed state, ``commit`` makes the copy the committed state, ``abandon`` drops it. So each test can say
exactly what DuckDB would hold after a batch, and what Kafka was told, without a broker or a file.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.errors import ApplyError
from cdc_pipeline.sink.naming import source_key, target_table
from cdc_pipeline.sink.policy import OnError
from cdc_pipeline.sink.protocol import commit_batch
from cdc_pipeline.sink.source import BadRecord, Batch
from cdc_pipeline.sink.target_bookkeeping import AppliedCounts

USERS, ORDERS = "dbserver1.public.users", "dbserver1.public.orders"


def changes(topic: str, rows: int = 1) -> TableBatch:
    table = topic.rsplit(".", 1)[1]
    return TableBatch(
        topic=topic,
        source_schema="public",
        source_table=table,
        columns=[Column("id", "INTEGER", key=True)],
        key_columns=["id"],
        counts={"c": rows},
    )


@dataclass
class State:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows upserted so far
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # _cdc.tables: state, reason, held at


class FakeTarget:
    """The DuckDBTarget methods the protocol calls, over :class:`State` with begin/commit/abandon."""

    path = "fake.duckdb"

    def __init__(self, fail_apply: dict[str, ApplyError] | None = None) -> None:
        self.committed = State()
        self.pending: State | None = None
        self.fail_apply = fail_apply or {}
        self.commits = 0

    @property
    def now(self) -> State:
        assert self.pending is not None, "a statement ran outside a transaction"
        return self.pending

    def begin(self) -> None:
        assert self.pending is None, "BEGIN inside a transaction"
        self.pending = copy.deepcopy(self.committed)

    def commit(self) -> None:
        self.committed, self.pending = self.now, None
        self.commits += 1

    def abandon(self) -> None:
        self.pending = None

    def table_rows(self) -> list[tuple[object, ...]]:
        state = self.pending or self.committed
        return [(name, t["target"], t["state"]) for name, t in state.tables.items()]

    def evolve(self, changes: TableBatch) -> list[str]:
        return []

    def apply(self, changes: TableBatch) -> AppliedCounts:
        name = source_key(changes.source_schema, changes.source_table)
        if name in self.fail_apply:
            raise self.fail_apply[name]
        self.now.rows[name] = self.now.rows.get(name, 0) + changes.counts["c"]
        return AppliedCounts(upserted=changes.counts["c"], deleted=0)

    def record_table(self, changes: TableBatch, counts: AppliedCounts) -> None:
        name = source_key(changes.source_schema, changes.source_table)
        target = target_table(changes.source_schema, changes.source_table).sql
        self.now.tables.setdefault(name, {"target": target, "state": "running"})

    def write_offsets(self, offsets: Sequence[tuple[str, int, int]]) -> None:
        for topic, partition, next_offset in offsets:
            self.now.offsets[(topic, partition)] = next_offset

    def read_offsets(self) -> dict[tuple[str, int], int]:
        return dict((self.pending or self.committed).offsets)

    def read_positions(self) -> list[tuple[str, int, int]]:
        return []

    def read_loaded(self) -> dict[str, str]:
        return {}

    def settle_loaded(self, changes: TableBatch) -> bool:
        return False

    def held_position(self, topic: str) -> tuple[str, int, int]:
        held = sorted((p, o) for (t, p), o in self.read_offsets().items() if t == topic)
        partition, offset = held[0] if held else (0, 0)
        return topic, partition, offset

    def mark_table_stopped(self, table: str, reason: str, at: tuple[str, int, int] | None = None) -> None:
        self.now.tables[table] = {"target": table, "state": "stopped", "reason": reason, "at": at}


class FakeSource:
    """Hands out the given batches; records every rewind, Kafka commit and re-seek."""

    def __init__(self, *batches: Batch) -> None:
        self.batches = list(batches)
        self.rewound: list[set[str]] = []
        self.kafka_commits: list[list[tuple[str, int, int]]] = []
        self.starts: list[dict[tuple[str, int], int]] = []

    def next_batch(self) -> Batch:
        return self.batches.pop(0) if self.batches else Batch(0, 0, [], [])

    def rewind(self, topics: set[str]) -> None:
        self.rewound.append(set(topics))

    def commit(self, offsets: list[tuple[str, int, int]]) -> None:
        self.kafka_commits.append(list(offsets))

    def start(self, offsets: dict[tuple[str, int], int], positions: object, loaded: object = None) -> None:
        self.starts.append(dict(offsets))

    def table_of_topic(self, topic: str) -> str:
        return "public." + topic.rsplit(".", 1)[1]


def run_once(
    source: FakeSource,
    target: FakeTarget,
    stopped: dict[str, str] | None = None,
    policy: OnError = "stop-table",
) -> Any:
    return commit_batch(source, target, {} if stopped is None else stopped, policy)  # type: ignore[arg-type]


def test_rows_and_offsets_commit_in_one_transaction_then_kafka_is_told_the_same_offsets() -> None:
    offsets = [(USERS, 0, 10), (ORDERS, 0, 4)]
    source = FakeSource(Batch(5, 100, [changes(USERS, 3), changes(ORDERS, 2)], offsets))
    target = FakeTarget()
    outcome = run_once(source, target)
    assert target.commits == 1 and target.pending is None
    assert target.committed.rows == {"public.users": 3, "public.orders": 2}
    assert target.committed.offsets == {(USERS, 0): 10, (ORDERS, 0): 4}
    assert source.kafka_commits == [offsets], "Kafka learns the offsets only after DuckDB committed them"
    assert (outcome.events, outcome.upserted, outcome.tables) == (5, 5, ["public.users", "public.orders"])


def test_nothing_arrived_means_no_transaction() -> None:
    target = FakeTarget()
    assert run_once(FakeSource(), target) is None
    assert target.commits == 0 and nothing_written(target)


def nothing_written(target: FakeTarget) -> bool:
    return target.committed == State()


def test_a_stopped_table_is_held_back_its_offsets_unwritten_and_rewound() -> None:
    source = FakeSource(
        Batch(3, 60, [changes(USERS, 2), changes(ORDERS, 1)], [(USERS, 0, 7), (ORDERS, 0, 9)])
    )
    target = FakeTarget()
    run_once(source, target, stopped={"public.orders": "held"})
    assert target.committed.rows == {"public.users": 2}
    assert target.committed.offsets == {(USERS, 0): 7}, "the held table's partition does not move"
    assert source.rewound == [{ORDERS}], "the source reads the held topic again from DuckDB's offset"
    assert source.kafka_commits == [[(USERS, 0, 7)]]
    # ... after starting again from what DuckDB holds (a batch read ahead past the held table is dropped)
    assert source.starts == [{(USERS, 0): 7}]


def test_a_batch_without_held_tables_does_not_restart_the_source() -> None:
    source = FakeSource(Batch(1, 20, [changes(USERS)], [(USERS, 0, 1)]))
    run_once(source, FakeTarget())
    assert source.starts == [] and source.rewound == []


def test_a_table_duckdb_refuses_rolls_the_batch_back_and_stops_only_that_table() -> None:
    refused = ApplyError("public.orders", "upsert rows", ValueError("Conversion Error"))
    target = FakeTarget(fail_apply={"public.orders": refused})
    target.committed.offsets = {(ORDERS, 0): 3}
    source = FakeSource(
        Batch(3, 60, [changes(USERS, 2), changes(ORDERS, 1)], [(USERS, 0, 7), (ORDERS, 0, 9)])
    )
    stopped: dict[str, str] = {}
    outcome = run_once(source, target, stopped)
    assert target.committed.rows == {}, "DuckDB has no savepoints: the users rows were rolled back too"
    orders = target.committed.tables["public.orders"]
    assert orders["state"] == "stopped" and orders["at"] == (ORDERS, 0, 3), "held at its committed offset"
    assert "cdc tables resume public.orders" in orders["reason"]
    assert target.committed.offsets == {(ORDERS, 0): 3}, "no offset of the refused batch was written"
    assert source.starts == [{(ORDERS, 0): 3}], "the source re-reads every other table from DuckDB's offsets"
    assert source.kafka_commits == [], "Kafka is told nothing"
    assert set(outcome.stopped) == set(stopped) == {"public.orders"}


def test_a_database_failure_stops_the_sink_and_commits_nothing() -> None:
    broken = ApplyError("public.users", "upsert rows", OSError("disk"), table_level=False)
    target = FakeTarget(fail_apply={"public.users": broken})
    source = FakeSource(Batch(1, 20, [changes(USERS)], [(USERS, 0, 1)]))
    with pytest.raises(ApplyError) as raised:
        run_once(source, target)
    assert raised.value is broken and raised.value.topic == USERS
    assert target.pending is None and target.commits == 0 and source.kafka_commits == []


def bad_batch() -> Batch:
    record = BadRecord(ORDERS, 0, 9, "public.orders", "amount", "numeric out of range")
    return Batch(
        3, 60, [changes(USERS, 2), changes(ORDERS, 1)], [(USERS, 0, 7), (ORDERS, 0, 9)], error=record
    )


def test_a_bad_record_stops_its_table_exactly_there_after_the_records_before_it() -> None:
    source, target = FakeSource(bad_batch()), FakeTarget()
    outcome = run_once(source, target, policy="stop-table")
    assert target.committed.rows == {"public.users": 2, "public.orders": 1}, "what came before it is applied"
    assert target.committed.offsets == {(USERS, 0): 7, (ORDERS, 0): 9}, "its partition stops at the record"
    orders = target.committed.tables["public.orders"]
    assert orders["state"] == "stopped" and orders["at"] == (ORDERS, 0, 9)
    assert (
        "cdc tables skip public.orders --topic dbserver1.public.orders --partition 0 --offset 9"
        in (orders["reason"])
    )
    assert source.rewound == [{ORDERS}] and outcome.bad_record is None


def test_with_policy_stop_sink_a_bad_record_is_handed_to_the_loop_after_the_commit() -> None:
    source, target = FakeSource(bad_batch()), FakeTarget()
    outcome = run_once(source, target, policy="stop-sink")
    assert outcome.bad_record is not None and outcome.bad_record.offset == 9
    assert target.committed.offsets == {(USERS, 0): 7, (ORDERS, 0): 9}
    assert "public.orders" not in target.committed.tables or (
        target.committed.tables["public.orders"]["state"] == "running"
    ), "no table is stopped: the whole sink stops there"
