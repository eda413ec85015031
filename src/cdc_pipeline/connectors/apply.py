"""Apply a connector idempotently and wait until Connect runs it.

:func:`apply_connector` is the whole of ``cdc connectors apply``:

1. Generate the config from the settings (:func:`connector_config`) and run the preflight checks; a blocking
   problem stops here, before Connect or PostgreSQL are changed.
2. Create the signal table if missing (Debezium reads ``execute-snapshot`` signals from it).
3. Compare with what Connect has. Identical: nothing to do. New connector, or changed without new tables:
   ``PUT /connectors/{name}/config`` (``snapshot.mode=initial`` snapshots a new connector's tables).
4. Changed with tables added: stop the connector and wait until its task is gone, PUT the config, resume. A
   task still running the old table list would consume the signal and ignore the new tables, so the signal is
   only written once a task runs the new list.
5. Wait until the connector and its task are RUNNING, then (step 4 only) give the added tables their rows:
   ``load_added`` (`cdc connectors apply` passes the running sink's load straight from PostgreSQL,
   :func:`cdc_pipeline.tables.load_tables`) loads those it can, now that the task streams their changes;
   one ``execute-snapshot`` signal names the rest: Debezium snapshots them incrementally while streaming goes
   on. The other tables are not snapshotted again (their offsets are kept).

A connector that is (re)created, or registered but not running (STOPPED, PAUSED, FAILED), never starts on
its stored offset blindly: it is created STOPPED (or stopped), Connect's stored offset is compared with its
replication slot (:mod:`.position`), and then it resumes exactly, or the offset (and a stale slot) is cleared
so it takes a fresh snapshot. The report says which and why (``position``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import preflight, publication, slots
from cdc_pipeline.connectors.connect_client import ConnectClient, ConnectorState
from cdc_pipeline.connectors.model import (
    TableRef,
    added_tables,
    connector_config,
    pipeline_tables,
    signal_table,
)
from cdc_pipeline.connectors.position import Decision
from cdc_pipeline.connectors.reconcile import reconcile
from cdc_pipeline.errors import ConnectError

Action = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class ApplyReport:
    connector: str
    action: Action
    state: ConnectorState
    snapshot_tables: list[str] = field(default_factory=list)  # added tables Debezium snapshots
    signal_id: str | None = None
    loaded_tables: list[str] = field(default_factory=list)  # added tables loaded from PostgreSQL
    warnings: list[str] = field(default_factory=list)
    position: Decision | None = None  # None: it kept running on its own offset

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def client_for(settings: Settings, retry_for_s: float = 60.0) -> ConnectClient:
    """A Connect client that masks this pipeline's secrets in every message."""
    return ConnectClient(
        settings.connect_url, retry_for_s=retry_for_s, secrets=[settings.postgres_password.get_secret_value()]
    )


LoadAdded = Callable[[list[TableRef]], list[TableRef]]  # loads the tables it can; returns the others


def apply_connector(
    settings: Settings,
    tables: Sequence[TableRef] | None = None,
    timeout_s: float = 90.0,
    load_added: LoadAdded | None = None,
) -> ApplyReport:
    """Create or update the connector for ``tables`` (default: the settings' tables); see the module doc."""
    tables = pipeline_tables(settings) if tables is None else list(tables)
    config = connector_config(settings, tables)
    report = preflight.check(settings, tables)
    signal = signal_table(settings)
    slots.ensure_signal_table(settings, signal)
    publication.ensure_publication(settings, tables)
    name = settings.connector_name
    position: Decision | None = None
    with client_for(settings) as client:
        current = client.get_config(name)
        before = client.status(name) if current is not None else None
        added = added_tables(tables, current)
        action: Action = "created" if current is None else "updated"
        if current is not None and without_name(current) == config:
            action = "unchanged"
        if current is None:
            client.create_stopped(name, config)
            position = reconcile(client, settings, name, config)
            client.resume(name)
        elif before is not None and not before.running and not starting(before):
            stop_and_wait(client, name, timeout_s)
            if action != "unchanged":
                client.put_config(name, config)
            position = reconcile(client, settings, name, config)
            client.resume(name)
            if position.kind != "resume":
                added = []  # the fresh snapshot covers the added tables too
        elif action == "unchanged":
            pass
        elif added:
            stop_and_wait(client, name, timeout_s)
            client.put_config(name, config)
            client.resume(name)
        else:
            client.put_config(name, config)
        state = wait_running(client, name, timeout_s)
    loaded: list[TableRef] = []
    if added and load_added is not None:
        rest = load_added(list(added))
        loaded, added = [t for t in added if t not in rest], rest
    signal_id = slots.send_snapshot_signal(settings, signal, added) if added else None
    return ApplyReport(
        connector=name,
        action=action,
        state=state,
        snapshot_tables=[t.qualified for t in added],
        signal_id=signal_id,
        loaded_tables=[t.qualified for t in loaded],
        warnings=[p.line() for p in report.problems],
        position=position,
    )


def starting(state: ConnectorState) -> bool:
    """RUNNING or about to be (tasks being assigned or restarting): leave it alone."""
    if state.state in {"UNASSIGNED", "RESTARTING"}:
        return True
    return state.state == "RUNNING" and all(
        t.state in {"RUNNING", "UNASSIGNED", "RESTARTING"} for t in state.tasks
    )


def without_name(config: dict[str, str]) -> dict[str, str]:
    """Connect stores the connector's name inside its config; the generated config has none."""
    return {k: v for k, v in config.items() if k != "name"}


def stop_and_wait(client: ConnectClient, name: str, timeout_s: float) -> None:
    client.stop(name)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = client.status(name)
        if state is not None and state.state == "STOPPED" and not state.tasks:
            return
        time.sleep(0.25)
    raise ConnectError(
        f"connector {name} did not stop within {timeout_s:.0f}s",
        "see `cdc connectors status` and the Connect log",
    )


def wait_running(client: ConnectClient, name: str, timeout_s: float) -> ConnectorState:
    deadline = time.monotonic() + timeout_s
    state: ConnectorState | None = None
    while time.monotonic() < deadline:
        state = client.status(name)
        if state is not None and state.running:
            return state
        failed = [t for t in (state.tasks if state else []) if t.state == "FAILED"]
        if state is not None and (state.state == "FAILED" or failed):
            trace = (failed[0].trace if failed else state.trace) or ""
            raise ConnectError(
                f"connector {name} failed: {first_line(trace)}",
                "see `cdc connectors status` for the trace; fix the cause, then `cdc connectors restart`",
            )
        time.sleep(0.5)
    shown = "not registered" if state is None else f"{state.state}, tasks {[t.state for t in state.tasks]}"
    raise ConnectError(
        f"connector {name} did not reach RUNNING within {timeout_s:.0f}s ({shown})",
        "see the Connect log under the state directory's logs/connect.log",
    )


def first_line(trace: str) -> str:
    return next((line.strip() for line in trace.splitlines() if line.strip()), "no trace")


def wait_all_running(settings: Settings, timeout_s: float = 90.0) -> list[ConnectorState]:
    """After a (re)start, wait until every registered connector runs again (Connect restores them itself)."""
    with client_for(settings) as client:
        return [wait_running(client, name, timeout_s) for name in client.connectors()]
