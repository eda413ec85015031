"""The pure stall, lag and retry decisions of observe/connector_health.py, from made-up observed facts."""
# ruff: noqa: E501  (real Connect log lines are long)

from __future__ import annotations

from datetime import UTC, datetime

from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.observe.status.connect_log import RetryFacts, retry_facts
from cdc_pipeline.observe.status.connector_health import (
    ConnectFacts,
    ConnectorHealth,
    SlotSample,
    assess,
    lag_bytes,
    lag_seconds,
    stall_reason,
)
from cdc_pipeline.observe.status.connector_poller import captured_tables
from cdc_pipeline.observe.status.report import Row, StatusReport, with_health
from cdc_pipeline.observe.status.tables import from_endpoint, shown_state

RUNNING = ConnectFacts("c1", "cdc_c1", "RUNNING", ("RUNNING",))
MB = 1 << 20


def samples(*rows: tuple[float, int, int | None, bool]) -> list[SlotSample]:
    """(at, wal, confirmed, active) rows."""
    return [SlotSample(at, wal, conf, active, 42 if active else None) for at, wal, conf, active in rows]


def test_lag_bytes_is_wal_minus_confirmed_and_unknown_without_a_slot() -> None:
    assert lag_bytes(SlotSample(0, 1000, 400, True)) == 600
    assert lag_bytes(SlotSample(0, 1000, 1200, True)) == 0  # confirmed ahead (heartbeat race): not negative
    assert lag_bytes(SlotSample(0, 1000, None)) is None


def test_lag_seconds_is_the_age_of_the_oldest_unconfirmed_wal() -> None:
    history = samples((0, 100, 100, True), (5, 200, 100, True), (10, 300, 150, True), (15, 400, 150, True))
    # confirmed 150 now; the first sample already past 150 is at t=5 (wal 200): waiting at least 15 s at t=20
    assert lag_seconds(history, now=20) == 15.0
    caught_up = samples((0, 100, 100, True), (5, 200, 200, True))
    assert lag_seconds(caught_up, now=6) == 0.0
    assert lag_seconds(samples((0, 100, 50, True)), now=6) is None  # one sample has no history


def test_a_streaming_slot_is_not_stalled() -> None:
    history = samples(*[(t, 1000 * t, 1000 * t - 50, True) for t in range(0, 120, 5)])
    assert stall_reason(history, now=120, stall_after_s=60) is None
    assert assess(RUNNING, history, RetryFacts(), 120, 60).state == "RUNNING"


def test_no_walsender_for_longer_than_the_threshold_is_stalled() -> None:
    history = samples(
        (0, 100, 100, True), (10, 200, 100, False), (40, 300, 100, False), (75, 400, 100, False)
    )
    reason = stall_reason(history, now=75, stall_after_s=60)
    assert reason is not None and "no walsender" in reason and "65 s" in reason
    fix = assess(RUNNING, history, RetryFacts(), 75, 60).fix
    assert fix is not None and "`cdc connectors restart --all`" in fix
    # Debezium's own retry wait (10 s) with the slot free is not a stall
    assert stall_reason(history[:3], now=40, stall_after_s=60) is None


def test_a_slot_held_by_another_client_is_stalled_and_names_the_holder() -> None:
    ours = SlotSample(0, 10 * MB, 10 * MB, True, 7, "Debezium Streaming", changes=100)
    theirs = [
        SlotSample(t, (12 + t) * MB, 10 * MB, True, 99, "pg_recvlogical", 100) for t in range(5, 80, 10)
    ]
    history = [ours, *theirs]
    health = assess(RUNNING, history, RetryFacts(True, 3, "replication slot busy"), 70, 60)
    assert health.state == "STALLED" and not health.healthy
    assert health.reason is not None and "held by another client" in health.reason and "65 s" in health.reason
    assert "pid 99 (pg_recvlogical)" in health.reason and health.slot_holder == "pid 99 (pg_recvlogical)"
    assert health.fix is not None and "SELECT pg_terminate_backend(99)" in health.fix
    assert (health.retrying, health.retries, health.last_error) == (True, 3, "replication slot busy")
    assert health.lag_bytes == 87 * MB - 10 * MB
    assert assess(RUNNING, history, RetryFacts(), 50, 60).state == "RUNNING"  # 45 s: not yet


def test_committed_changes_left_unconfirmed_past_the_threshold_are_a_stall() -> None:
    def at(t: float, confirmed: int, changes: int) -> SlotSample:
        return SlotSample(t, 1000 + t, confirmed, True, 7, "Debezium Streaming", changes)

    streaming = [at(0, 900, 10), at(10, 950, 12), at(20, 1010, 15)]
    assert stall_reason(streaming, now=20, stall_after_s=15) is None
    stuck = [at(0, 900, 10), at(10, 900, 10), at(20, 900, 11), at(30, 900, 13), at(40, 900, 13)]
    reason = stall_reason(stuck, now=40, stall_after_s=15)
    assert reason is not None and "committed 20 s ago are not confirmed" in reason
    assert "has not moved for 40 s" in reason
    assert stall_reason(stuck, now=34, stall_after_s=15) is None  # the first change is 14 s old


def test_wal_of_other_tables_alone_is_lag_not_a_stall() -> None:
    # Debezium confirms only events of its tables: other tables' WAL grows the lag, the tables stay put
    history = [
        SlotSample(t, 1000 + MB * t, 1000, True, 7, "Debezium Streaming", 50) for t in range(0, 300, 10)
    ]
    health = assess(RUNNING, history, RetryFacts(), 300, 60)
    assert health.state == "RUNNING" and health.lag_bytes == 290 * MB
    assert health.lag_seconds == 290.0  # the WAL of t=10 waits unconfirmed since then


def test_a_missing_slot_under_a_running_task_is_stalled_after_the_threshold() -> None:
    history = samples((0, 100, None, False), (70, 200, None, False))
    health = assess(RUNNING, history, RetryFacts(), 70, 60)
    assert health.state == "STALLED" and "does not exist" in (health.reason or "")


def test_connect_states_come_first() -> None:
    history = samples((0, 100, 100, False), (100, 900, 100, False))
    failed = ConnectFacts("c1", "s", "RUNNING", ("FAILED",), "org.x.Boom: bad value\n\tat a.b")
    assert (assess(failed, history, RetryFacts(), 100, 60).state) == "FAILED"
    assert assess(failed, history, RetryFacts(), 100, 60).reason == "org.x.Boom: bad value"
    absent = assess(ConnectFacts("c1", "s", None), history, RetryFacts(), 100, 60)
    assert absent.state == "ABSENT" and absent.connect_state is None
    paused = ConnectFacts("c1", "s", "PAUSED", ("PAUSED",))
    assert assess(paused, history, RetryFacts(), 100, 60).state == "PAUSED"
    assert assess(ConnectFacts("c1", "s", "RUNNING"), [], RetryFacts(), 100, 60).state == "UNASSIGNED"


def test_health_round_trips_through_json() -> None:
    health = assess(RUNNING, samples((0, 10, 5, True), (5, 20, 20, True)), RetryFacts(), 6, 60)
    data = health.to_json()
    assert data["healthy"] is True and data["lag_bytes"] == 0
    assert ConnectorHealth.from_json(data) == health


# Lines as Debezium 3.x logged them on the real stack (walsender terminated, slot held by pg_recvlogical).
LOG = """\
[2026-12-02 13:41:45,567] INFO [c1|task-0] 8 records sent during previous 00:01:21.192 (io.debezium.connector.common.BaseSourceTask)
[2026-12-02 13:41:46,429] ERROR [c1|task-0] Producer failure (io.debezium.pipeline.ErrorHandler)
org.postgresql.util.PSQLException: Database connection failed when reading from copy
\tat org.postgresql.core.v3.QueryExecutorImpl.readFromCopy(QueryExecutorImpl.java:1180)
Caused by: java.io.EOFException
[2026-12-02 13:41:46,431] WARN [c1|task-0] Retry 1 of unlimited retries will be attempted (io.debezium.pipeline.ErrorHandler)
[2026-12-02 13:41:46,603] WARN [c1|task-0] Going to restart connector after 10 sec. after a retriable exception (io.debezium.connector.common.BaseSourceTask)
[2026-12-02 13:41:46,700] WARN [other|task-0] Retry 1 of unlimited retries will be attempted (io.debezium.pipeline.ErrorHandler)
[2026-12-02 13:41:56,922] INFO [c1|task-0] Starting streaming (io.debezium.pipeline.ChangeEventSourceCoordinator)
[2026-12-02 13:41:56,996] WARN [c1|task-0] Failed to start replication stream at LSN{0/192C8B8}, waiting for 10000 ms and retrying, attempt number 1 over 6 (io.debezium.connector.postgresql.connection.PostgresReplicationConnection)
org.postgresql.util.PSQLException: ERROR: replication slot "cdc_c1" is active for PID 27165
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2734)
[2026-12-02 13:42:07,006] WARN [c1|task-0] Failed to start replication stream at LSN{0/192C8B8}, waiting for 10000 ms and retrying, attempt number 2 over 6 (io.debezium.connector.postgresql.connection.PostgresReplicationConnection)
[2026-12-02 13:42:07,007] INFO [other|task-0] Processing messages (io.debezium.connector.postgresql.PostgresStreamingChangeEventSource)
org.postgresql.util.PSQLException: ERROR: replication slot "cdc_c1" is active for PID 27165
"""
STREAMING = (
    "[2026-12-02 13:42:47,748] INFO [c1|task-0] Processing messages "
    "(io.debezium.connector.postgresql.PostgresStreamingChangeEventSource)"
)


def test_retry_facts_count_the_connectors_retries_since_it_last_streamed() -> None:
    lines = LOG.splitlines()
    facts = retry_facts(lines, "c1")
    assert facts.retrying and facts.retries == 3  # Retry 1 of unlimited, attempt 1 and 2 over 6
    assert facts.last_error == (
        "Failed to start replication stream at LSN{0/192C8B8}, waiting for 10000 ms and retrying, attempt "
        'number 1 over 6: org.postgresql.util.PSQLException: ERROR: replication slot "cdc_c1" is active for '
        "PID 27165"
    )  # the exception after attempt 2 follows another connector's line: not attributed
    first = retry_facts(lines[:7], "c1")
    assert first.last_error == (
        "Producer failure: org.postgresql.util.PSQLException: Database connection failed when reading from copy"
    )
    assert retry_facts([*lines, STREAMING], "c1") == RetryFacts()
    assert retry_facts(lines, "other") == RetryFacts()  # its last line says it streams
    assert retry_facts(lines, "c2") == RetryFacts()


def test_a_table_is_never_running_while_the_sink_is_not() -> None:
    assert shown_state("running", "running") == "running"
    assert shown_state(None, "running") == "running"
    for sink in ("stopped", "failed"):
        assert shown_state("running", sink) == "sink-down"
    assert shown_state("running", "unreachable") == "unknown"
    assert shown_state("running", "starting") == "sink-starting"
    assert shown_state("stopped", "failed") == "stopped"  # the table's own reason is more precise


def test_captured_tables_read_back_the_generated_include_list() -> None:
    refs = [TableRef("public", "users"), TableRef("public", "my table"), TableRef("odd.schema", "t-1")]
    config = {"table.include.list": ",".join([*(r.pattern for r in refs), "pub.*\\.x"])}
    assert sorted(captured_tables(config), key=str) == sorted(refs, key=str)
    assert captured_tables({}) == []


def test_the_endpoint_payload_of_a_failed_sink_shows_no_running_table() -> None:
    payload = {"state": "failed", "tables": [{"source_table": "public.a", "state": "running"}]}
    sink, tables = from_endpoint(payload, "endpoint", datetime.now(UTC))
    assert sink.state == "failed" and tables[0].state == "sink-down"


def test_a_stalled_connector_takes_its_row_and_makes_status_fail() -> None:
    rows = [Row("connect", "RUNNING"), Row("connector c1", "RUNNING", "task 0 RUNNING")]
    stalled = ConnectorHealth(
        "c1",
        "cdc_c1",
        "STALLED",
        lag_bytes=4096,
        lag_seconds=42.0,
        retrying=True,
        retries=4,
        reason="no walsender holds the replication slot for 70 s",
        last_error="Producer failure: boom",
    )
    shown = with_health(rows, stalled)
    assert [r.state for r in shown] == ["RUNNING", "STALLED"]
    assert shown[1].detail == (
        "task 0 RUNNING; slot cdc_c1 lag 4096 B / 42 s; retrying (restart 4); "
        "STALLED: no walsender holds the replication slot for 70 s; last error: Producer failure: boom"
    )
    assert not StatusReport(rows=shown).all_running
    healthy = ConnectorHealth("c1", "cdc_c1", "RUNNING", lag_bytes=0, lag_seconds=0.0)
    assert StatusReport(rows=with_health(rows, healthy)).all_running
    unknown = ConnectorHealth("c1", "cdc_c1", "UNKNOWN")  # Connect's own word stays
    assert with_health(rows, unknown)[1].state == "RUNNING"


def test_a_verdict_from_before_the_connector_was_registered_gives_way_to_connect() -> None:
    """Seen after `make up`: the sink's poller looked before registration; Connect now runs the connector."""
    rows = [Row("connector c1", "RUNNING", "task 0 RUNNING")]
    stale = ConnectorHealth("c1", "cdc_c1", "ABSENT", reason="connector c1 is not registered")
    assert with_health(rows, stale) == rows
    absent = [Row("connector c1", "ABSENT", "not registered (`cdc up --sample`)")]
    assert with_health(absent, stale)[0].detail.endswith("ABSENT: connector c1 is not registered")


SNAPSHOT = [
    "[2026-12-02 13:38:01,000] INFO [c1|task-0] Snapshot step 1 - Preparing (io.debezium.relational.RelationalSnapshotChangeEventSource)",
    "[2026-12-02 13:38:02,000] INFO [c1|task-0] Snapshot step 7 - Snapshotting data (io.debezium.relational.RelationalSnapshotChangeEventSource)",
]
SNAPSHOT_END = "[2026-12-02 13:39:00,000] INFO [c1|task-0] Snapshot ended with SnapshotResult [status=COMPLETED] (io.debezium.pipeline.ChangeEventSourceCoordinator)"


def test_no_stall_verdict_while_an_initial_snapshot_runs() -> None:
    facts = retry_facts(SNAPSHOT, "c1")
    assert facts.snapshotting and not facts.retrying
    assert not retry_facts([*SNAPSHOT, SNAPSHOT_END], "c1").snapshotting
    free = samples((0, 100, 100, False), (100, 900, 100, False))  # no walsender for 100 s
    during = assess(RUNNING, free, facts, 100, 60)
    assert during.state == "RUNNING" and "snapshot" in during.notes[0]
    assert assess(RUNNING, free, RetryFacts(), 100, 60).state == "STALLED"


def test_events_still_arriving_mean_a_big_transaction_streams_not_a_stall() -> None:
    stuck = [SlotSample(t, 1000 + t, 900, True, 7, "Debezium Streaming", 10 + t) for t in range(0, 100, 10)]
    assert stall_reason(stuck, now=90, stall_after_s=15, last_arrival=85) is None  # the sink applied 5 s ago
    assert stall_reason(stuck, now=90, stall_after_s=15, last_arrival=60) is not None  # 30 s of nothing
    held = [SlotSample(t, 1000 + t, 900, True, 8, "pg_recvlogical") for t in range(0, 100, 10)]
    reason = stall_reason(held, now=90, stall_after_s=15, last_arrival=85)  # backlog arriving is no excuse
    assert reason is not None and "held by another client" in reason
