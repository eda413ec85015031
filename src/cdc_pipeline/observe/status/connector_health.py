"""Is a connector really streaming? Pure decisions from observed facts (no I/O here).

Kafka Connect says ``RUNNING`` while a Debezium task sits in Debezium's own retry loop (a retriable error:
the task stops its streaming, waits ``retriable.restart.connector.wait.ms``, starts again, forever with
``errors.max.retries`` -1). So the truth comes from PostgreSQL, sampled every few seconds by the sink
(:mod:`cdc_pipeline.observe.status.connector_poller`):

* **lag bytes**: ``pg_current_wal_lsn() - confirmed_flush_lsn`` of the connector's slot: WAL the connector
  has not confirmed yet, which PostgreSQL keeps on disk. Debezium 3.x confirms only positions of events of
  the captured tables ("LSN flush mode 'connector'"), so while other tables or databases write and the
  captured ones are idle, this grows without anything being wrong (until ``heartbeat.action.query`` writes
  to a captured table). Lag bytes alone are therefore never called a stall.
* **lag seconds**: how long the oldest unconfirmed WAL has been waiting, measured from the samples: now
  minus the time of the earliest sample whose WAL position was already past today's confirmed position
  (a lower bound, at the sampling interval's resolution). 0 when the connector has confirmed everything
  written up to the previous sample; unknown (None) with a single sample. Same caveat as lag bytes.
* **STALLED**: Connect says the task runs, yet for at least ``stall_after_s`` one of: the slot is gone; no
  walsender of Debezium holds it (none at all, or another client such as ``pg_recvlogical``: Debezium's
  connection is named ``Debezium Streaming``); or rows of the captured tables were committed (their
  ``pg_stat_user_tables`` counters grew) and the confirmed position has not moved since, and the sink has
  applied none of the connector's events for as long (Debezium confirms a big transaction only once it has
  read it whole, while its events do arrive). A rolled-back
  write also moves those counters, so an idle connector after a rollback can read STALLED until the next
  captured commit streams. The reason names which, with the connector's last error from Connect's log.
* No stall verdict while the connector's log says an initial snapshot runs (it confirms nothing meanwhile).
* **retrying**: since its last streaming start, the connector's Connect log lines (named by
  ``connector.context``) show Debezium's retriable-restart or slot retry warnings; ``retries`` counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cdc_pipeline.observe.status.connect_log import RetryFacts

DEBEZIUM_APPLICATION = "Debezium Streaming"  # the application_name of Debezium's replication connection


@dataclass(frozen=True)
class SlotSample:
    """One look at the slot: when (unix seconds), the WAL position, the confirmed position, who holds it."""

    at: float
    wal_lsn: int
    confirmed_lsn: int | None  # None: the slot does not exist
    active: bool = False
    active_pid: int | None = None
    holder: str | None = None  # application_name of the walsender holding the slot
    changes: int | None = None  # rows inserted+updated+deleted in the captured tables (pg_stat_user_tables)


@dataclass(frozen=True)
class ConnectFacts:
    """Connect's view: the connector's and its tasks' states, a failed task's trace."""

    connector: str
    slot: str
    state: str | None  # connector state; None: not registered
    task_states: tuple[str, ...] = ()
    trace: str | None = None  # the first failed task's (or the connector's) trace


@dataclass(frozen=True)
class ConnectorHealth:
    """One connector as `cdc status` and /metrics show it."""

    connector: str
    slot: str
    state: str  # RUNNING | STALLED | FAILED | PAUSED | STOPPED | UNASSIGNED | ABSENT | UNKNOWN
    connect_state: str | None = None  # what Connect says (tasks included)
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    retrying: bool = False
    retries: int = 0
    slot_active: bool | None = None
    slot_holder: str | None = None  # "pid 123 (pg_recvlogical)"
    reason: str | None = None  # why STALLED / FAILED
    last_error: str | None = None
    fix: str | None = None  # the command that gets it streaming again (STALLED, FAILED)
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.state == "RUNNING"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}

    @staticmethod
    def from_json(data: dict[str, Any]) -> ConnectorHealth:
        known = {k: v for k, v in data.items() if k in ConnectorHealth.__dataclass_fields__}
        return ConnectorHealth(**known)


def lag_bytes(sample: SlotSample) -> int | None:
    if sample.confirmed_lsn is None:
        return None
    return max(0, sample.wal_lsn - sample.confirmed_lsn)


def lag_seconds(samples: Sequence[SlotSample], now: float) -> float | None:
    """Age of the oldest unconfirmed WAL, from the samples (module docstring); None with fewer than two."""
    if len(samples) < 2 or samples[-1].confirmed_lsn is None:
        return None
    confirmed = samples[-1].confirmed_lsn
    if all(s.wal_lsn <= confirmed for s in samples[:-1]):
        return 0.0
    first_past = next(s for s in samples if s.wal_lsn > confirmed)
    return round(max(0.0, now - first_past.at), 3)


def _since(samples: Sequence[SlotSample], same: Any) -> SlotSample | None:
    """The earliest sample of the latest run of samples for which ``same(sample)`` holds."""
    start = None
    for sample in reversed(samples):
        if not same(sample):
            break
        start = sample
    return start


def _held_by_connector(sample: SlotSample) -> bool:
    """A walsender holds the slot, and it is not some other client (``pg_recvlogical``, a script...)."""
    return sample.active and (sample.holder is None or sample.holder == DEBEZIUM_APPLICATION)


def stall_reason(
    samples: Sequence[SlotSample], now: float, stall_after_s: float, last_arrival: float | None = None
) -> str | None:
    """Why the slot shows no streaming for ``stall_after_s`` (None: it streams, or too little history)."""
    stall = _stall(samples, now, stall_after_s, last_arrival)
    return None if stall is None else stall[0]


RESTART_FIX = (
    "see the connector's lines in Connect's log (logs/connect.log), then `cdc connectors restart --all`"
)


def _stall(
    samples: Sequence[SlotSample], now: float, stall_after_s: float, last_arrival: float | None
) -> tuple[str, str] | None:
    """(reason, the command that fixes it) of a stall, or None.

    ``last_arrival``: when the sink last applied a batch of this connector's events (unix seconds). Events
    arriving within ``stall_after_s`` mean Debezium streams (a big transaction is confirmed only once it has
    been read whole), so the unconfirmed-changes rule waits for them to stop.
    """
    if not samples:
        return None
    last = samples[-1]
    if last.confirmed_lsn is None:
        gone = _since(samples, lambda s: s.confirmed_lsn is None)
        if gone is not None and now - gone.at >= stall_after_s:
            return (
                f"the replication slot does not exist (for {now - gone.at:.0f} s)",
                "`cdc connectors status` shows the slot; `cdc connectors apply` creates it again",
            )
        return None
    free = _since(samples, lambda s: not _held_by_connector(s))
    if free is not None and now - free.at >= stall_after_s:
        if last.active:
            return (
                f"the replication slot is held by another client, walsender {holder_text(last)}, "
                f"for {now - free.at:.0f} s; Debezium cannot stream from it",
                f"end that client (in PostgreSQL: SELECT pg_terminate_backend({last.active_pid})); "
                "Debezium's next retry takes the slot back",
            )
        return f"no walsender holds the replication slot for {now - free.at:.0f} s", RESTART_FIX
    stuck = _since(samples, lambda s: s.confirmed_lsn == last.confirmed_lsn)
    if stuck is None or stuck.changes is None or last.changes is None:
        return None
    if last_arrival is not None and now - last_arrival < stall_after_s:
        return None
    changed = next((s for s in samples if s.at >= stuck.at and (s.changes or 0) > stuck.changes), None)
    if changed is not None and now - changed.at >= stall_after_s:
        return (
            f"changes to the captured tables committed {now - changed.at:.0f} s ago are not confirmed: "
            f"the slot's confirmed position has not moved for {now - stuck.at:.0f} s "
            f"({lag_bytes(last)} bytes behind)",
            RESTART_FIX,
        )
    return None


def holder_text(sample: SlotSample) -> str | None:
    if not sample.active or sample.active_pid is None:
        return None
    return f"pid {sample.active_pid}" + (f" ({sample.holder})" if sample.holder else "")


def assess(
    connect: ConnectFacts,
    samples: Sequence[SlotSample],
    retry: RetryFacts,
    now: float,
    stall_after_s: float,
    *,
    last_arrival: float | None = None,
) -> ConnectorHealth:
    """The connector's true state from Connect's view, the slot samples and its log lines."""
    last = samples[-1] if samples else None
    tasks = ", ".join(f"task {i} {s}" for i, s in enumerate(connect.task_states)) or "no tasks"
    base = ConnectorHealth(
        connector=connect.connector,
        slot=connect.slot,
        state="UNKNOWN",
        connect_state=None if connect.state is None else f"{connect.state} ({tasks})",
        lag_bytes=None if last is None else lag_bytes(last),
        lag_seconds=lag_seconds(samples, now),
        retrying=retry.retrying,
        retries=retry.retries,
        slot_active=None if last is None or last.confirmed_lsn is None else last.active,
        slot_holder=None if last is None else holder_text(last),
        last_error=retry.last_error,
    )
    if connect.state is None:
        return replace(base, state="ABSENT", reason=f"connector {connect.connector} is not registered")
    failed = connect.state == "FAILED" or "FAILED" in connect.task_states
    if failed:
        return replace(
            base,
            state="FAILED",
            reason=_first_line(connect.trace) or "a task FAILED",
            fix="fix the cause in the trace (`cdc connectors status`), then `cdc connectors restart`",
        )
    if connect.state != "RUNNING" or not connect.task_states:
        return replace(base, state=connect.state if connect.task_states else "UNASSIGNED")
    if any(s != "RUNNING" for s in connect.task_states):
        return replace(base, state=next(s for s in connect.task_states if s != "RUNNING"))
    stall = None if retry.snapshotting else _stall(samples, now, stall_after_s, last_arrival)
    if retry.snapshotting:
        base.notes.append("an initial snapshot runs: no stall verdict until it ends")
    if stall is not None:
        return replace(base, state="STALLED", reason=stall[0], fix=stall[1])
    return replace(base, state="RUNNING")


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    return text.strip().splitlines()[0][:500]
