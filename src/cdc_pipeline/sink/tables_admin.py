"""The way back for every stopped table: list, resume, skip one record, re-snapshot (the DuckDB side).

Each function returns an *action*: a function of the :class:`DuckDBTarget` that the sink loop runs between
batches (see :mod:`.admin`) or that the CLI runs on the file when no sink runs; every action returns a report
dataclass saying what it did. The rules each action enforces are stated where it enforces them.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink import bookkeeping

if TYPE_CHECKING:
    from cdc_pipeline.sink.admin import Action
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

log = logging.getLogger("cdc_pipeline.sink")


@dataclass(frozen=True)
class TableState:
    """One row of ``_cdc.tables`` and the command that recovers it when it is stopped."""

    source_table: str
    target_table: str | None
    state: str
    reason: str | None = None
    stopped_topic: str | None = None
    stopped_partition: int | None = None
    stopped_offset: int | None = None
    stopped_at: str | None = None
    records_skipped: int = 0
    fix: str | None = None


@dataclass(frozen=True)
class TablesReport:
    tables: list[TableState] = field(default_factory=list)

    @property
    def stopped(self) -> list[TableState]:
        return [t for t in self.tables if t.state == bookkeeping.STOPPED]

    def to_json(self) -> dict[str, Any]:
        return {"tables": [asdict(t) for t in self.tables]}


@dataclass(frozen=True)
class ActionReport:
    """What one `cdc tables` command did, in one sentence (``done``), and where the table resumes."""

    action: str
    table: str
    done: str
    resumes_at: list[tuple[str, int, int]] = field(default_factory=list)
    via: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def fix_command(state: TableState) -> str | None:
    """The command that recovers a stopped table: skip the bad record it is held at, re-snapshot a table
    whose schema DuckDB cannot follow or whose stop names only a re-snapshot (a keyless one after giving it
    key_columns), else resume it once the cause is fixed."""
    if state.state != bookkeeping.STOPPED:
        return None
    reason = state.reason or ""
    if reason.startswith("bad record") and state.stopped_topic is not None:
        return (
            f"cdc tables skip {state.source_table} --topic {state.stopped_topic} "
            f"--partition {state.stopped_partition} --offset {state.stopped_offset}"
        )
    resnapshot = f"cdc tables resnapshot {state.source_table}"
    if "changed type" in reason or (f"`{resnapshot}`" in reason and "`cdc tables resume" not in reason):
        if "key_columns" in reason:  # a keyless table: Debezium's incremental snapshot needs a key first
            return f"set key_columns for {state.source_table}, `cdc connectors apply`, then `{resnapshot}`"
        return resnapshot
    return f"cdc tables resume {state.source_table}"


def _state(row: tuple[Any, ...]) -> TableState:
    source, target, state, reason, topic, partition, offset, at, skipped = row
    stopped_at = at.isoformat() if isinstance(at, datetime) else None
    base = TableState(
        source, target, state or bookkeeping.RUNNING, reason, topic, partition, offset, stopped_at
    )
    return TableState(**{**asdict(base), "records_skipped": int(skipped or 0), "fix": fix_command(base)})


def list_tables() -> Action:
    def action(target: DuckDBTarget) -> TablesReport:
        return TablesReport([_state(row) for row in target.table_rows()])

    return action


def _find(target: DuckDBTarget, table: str) -> TableState:
    for row in target.table_rows():
        if row[0] == table:
            return _state(row)
    raise CdcError(
        f"table {table} is not in _cdc.tables (the sink never saw it)", "run `cdc tables` to list them"
    )


def _stopped(target: DuckDBTarget, table: str, command: str) -> TableState:
    state = _find(target, table)
    if state.state != bookkeeping.STOPPED:
        raise CdcError(
            f"table {table} is not stopped (state {state.state})", f"`cdc tables {command}` is for stops"
        )
    return state


def _logged(report: ActionReport) -> ActionReport:
    """Every change of a table's state or position leaves a line in the log (the audit is in DuckDB)."""
    log.warning("cdc tables %s %s: %s", report.action, report.table, report.done)
    return report


def _positions(target: DuckDBTarget, topic: str | None) -> list[tuple[str, int, int]]:
    return sorted((t, p, o) for (t, p), o in target.read_offsets().items() if t == topic)


def resume(table: str, exclude_columns: list[str] | None = None) -> Action:
    """A stopped table is applied again from the record it is held at (after its cause was fixed).
    ``exclude_columns``: cdc.yaml's now, as the CLI read it; the sink checks column types against them
    from here on (a column excluded to resume a table stopped for its type is then not checked)."""

    def action(target: DuckDBTarget) -> ActionReport:
        state = _stopped(target, table, "resume")
        if exclude_columns is not None:
            target.exclude_columns(exclude_columns)
        target.resume_table(table)
        at = _positions(target, state.stopped_topic)
        if not at and state.stopped_topic is not None and state.stopped_offset is not None:
            # nothing of it was ever committed: it starts at the record it stopped at
            at = [(state.stopped_topic, state.stopped_partition or 0, state.stopped_offset)]
        return _logged(
            ActionReport("resume", table, f"resumed {table}; it is applied again from its held record", at)
        )

    return action


def skip(table: str, topic: str, partition: int, offset: int) -> Action:
    """Skip exactly one record: only the record a stopped table is held at (the next one of its partition),
    so nothing else is passed; the skip is recorded in ``_cdc.skipped`` and counted in ``_cdc.tables``."""

    def action(target: DuckDBTarget) -> ActionReport:
        state = _stopped(target, table, "skip")
        held = target.read_offsets().get((topic, partition), state.stopped_offset)
        if state.stopped_topic is not None and topic != state.stopped_topic:
            held = None
        if held != offset:
            raise CdcError(
                f"table {table} is held at topic {state.stopped_topic} partition {state.stopped_partition} "
                f"offset {held}, not at topic {topic} partition {partition} offset {offset}; only the record "
                "a stopped table is held at can be skipped",
                f"run `cdc tables` for the exact command, e.g. `{state.fix}`",
            )
        target.record_skip(table, (topic, partition, offset), state.reason or "")
        target.resume_table(table)
        done = f"skipped topic {topic} partition {partition} offset {offset} of {table} and resumed it"
        return _logged(ActionReport("skip", table, done, [(topic, partition, offset + 1)]))

    return action


def resnapshot(
    schema: str,
    table: str,
    topic: str,
    next_offsets: dict[int, int],
    exclude_columns: list[str] | None = None,
) -> Action:
    """Prepare a re-snapshot: drop the DuckDB copy, move the table's partitions to ``next_offsets`` (their
    high watermarks, taken BEFORE the snapshot signal is sent, so every change after it is streamed and every
    change before it is in the snapshot), and resume the table. The caller then sends the signal."""
    name = f"{schema}.{table}"

    def action(target: DuckDBTarget) -> ActionReport:
        if exclude_columns is not None:
            target.exclude_columns(exclude_columns)
        dropped = target.drop_table(schema, table)
        for partition, offset in sorted(next_offsets.items()):
            target.set_offset(topic, partition, offset)
        if any(row[0] == name for row in target.table_rows()):
            target.resume_table(name)
        what = "dropped its DuckDB copy" if dropped else "DuckDB had no copy"
        return _logged(ActionReport("resnapshot", name, f"{what}, resumed {name}", _positions(target, topic)))

    return action


READ_ONLY = frozenset({"list", "dead-letter-replayed"})  # actions that move no table state and no offset


def moves_tables(request: dict[str, Any]) -> bool:
    """Whether the sink loop must re-read its tables and offsets after this request ran."""
    return request.get("action") not in READ_ONLY


def _excluded(request: dict[str, Any]) -> list[str] | None:
    """cdc.yaml's ``exclude_columns`` as the CLI read it (None: the request did not say)."""
    excluded = request.get("exclude_columns")
    return None if excluded is None else [str(c) for c in excluded]


def action_from_request(request: dict[str, Any]) -> Action:
    """The action a ``POST /admin/tables`` JSON body asks for; ValueError naming what is wrong."""
    kind = request.get("action")
    from cdc_pipeline.sink import dead_letter_admin  # noqa: PLC0415 (it imports this module)

    try:
        if kind == "dead-letter-replay":
            return dead_letter_admin.replay(list(request["records"]))
        if kind == "dead-letter-replayed":
            return dead_letter_admin.replayed()
        if kind == "list":
            return list_tables()
        if kind == "resume":
            return resume(str(request["table"]), _excluded(request))
        if kind == "skip":
            return skip(
                str(request["table"]),
                str(request["topic"]),
                int(request["partition"]),
                int(request["offset"]),
            )
        if kind == "resnapshot":
            offsets = {int(p): int(o) for p, o in dict(request["next_offsets"]).items()}
            names = (str(request["schema"]), str(request["table"]), str(request["topic"]))
            return resnapshot(*names, offsets, _excluded(request))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"action {kind!r}: missing or invalid field {exc}") from exc
    raise ValueError(
        f"unknown action {kind!r}: expected list, resume, skip, resnapshot, dead-letter-replay or "
        "dead-letter-replayed"
    )


def report_from_json(payload: dict[str, Any]) -> TablesReport | ActionReport:
    """The report an endpoint answered, as the dataclass the action returned."""
    if "tables" in payload:
        return TablesReport([TableState(**t) for t in payload["tables"]])
    at = [(str(t), int(p), int(o)) for t, p, o in payload.get("resumes_at", [])]
    return ActionReport(payload["action"], payload["table"], payload["done"], at, payload.get("via", ""))
