"""``cdc connectors status | restart | delete``: reports about one connector and its replication slot."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import slots
from cdc_pipeline.connectors.apply import client_for, stop_and_wait, wait_running
from cdc_pipeline.connectors.connect_client import ConnectorState
from cdc_pipeline.connectors.model import publication_name, slot_name
from cdc_pipeline.connectors.position import Decision
from cdc_pipeline.connectors.reconcile import reconcile
from cdc_pipeline.connectors.source_db import SlotFacts
from cdc_pipeline.errors import CdcError


@dataclass(frozen=True)
class ConnectorStatus:
    connector: str
    state: ConnectorState | None  # None: not registered
    slot: SlotFacts | None = None
    slot_error: str | None = None

    @property
    def running(self) -> bool:
        return self.state is not None and self.state.running

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "running": self.running}


def connector_status(settings: Settings) -> ConnectorStatus:
    """Connector and task states (with a failed task's trace), and the slot's retained WAL when known."""
    with client_for(settings, retry_for_s=10) as client:
        state = client.status(settings.connector_name)
        stored = client.get_config(settings.connector_name) or {}
    slot, error = None, None
    try:
        slot = slots.find_slot(settings, stored.get("slot.name", slot_name(settings)))
    except CdcError as exc:
        error = str(exc)
    return ConnectorStatus(settings.connector_name, state, slot, error)


@dataclass(frozen=True)
class RestartReport:
    connector: str
    restarted: list[str] = field(default_factory=list)  # "connector", "task 0", ...
    state: ConnectorState | None = None
    position: Decision | None = None  # a failed connector restarts through the resume/re-snapshot check

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def restart_connector(settings: Settings, all_tasks: bool = False, timeout_s: float = 90.0) -> RestartReport:
    """Restart failed tasks (or everything with ``all_tasks``) and wait until the connector runs again.

    A failed connector is stopped, its stored offset checked against its slot (resume exactly, or clear it and
    re-snapshot: a slot that vanished is the usual reason it failed), then resumed."""
    name = settings.connector_name
    with client_for(settings) as client:
        before = client.status(name)
        if before is None:
            raise CdcError(f"connector {name} is not registered", "create it with `cdc connectors apply`")
        failed = before.state == "FAILED" or any(t.state == "FAILED" for t in before.tasks)
        if not all_tasks and not failed:
            return RestartReport(name, [], before)
        if failed:
            stop_and_wait(client, name, timeout_s)
            position = reconcile(client, settings, name, client.get_config(name) or {})
            client.resume(name)
            restarted = ["connector"] + [f"task {t.id}" for t in before.tasks]
            return RestartReport(name, restarted, wait_running(client, name, timeout_s), position)
        answer = client.restart(name, only_failed=not all_tasks)
        restarted = _restarting(answer) if answer is not None else ["connector"]
        time.sleep(0.5)  # let the RESTARTING states replace the FAILED ones before polling
        return RestartReport(name, restarted, wait_running(client, name, timeout_s))


def _restarting(state: ConnectorState) -> list[str]:
    names = ["connector"] if state.state == "RESTARTING" else []
    return names + [f"task {t.id}" for t in state.tasks if t.state == "RESTARTING"]


@dataclass(frozen=True)
class DeleteReport:
    connector: str
    deleted: bool  # False: it was not registered
    slot: str
    publication: str
    slot_result: str = "kept"  # kept | dropped | absent | still active
    publication_result: str = "kept"  # kept | dropped | absent
    active_pid: int | None = None
    offsets_cleared: bool = False  # Connect's stored offsets were reset before the delete

    @property
    def ok(self) -> bool:
        return self.slot_result != "still active"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def slot_names(settings: Settings) -> tuple[str, str]:
    """The slot and publication of the registered connector (or the ones the settings would generate)."""
    with client_for(settings, retry_for_s=10) as client:
        stored = client.get_config(settings.connector_name) or {}
    return (
        stored.get("slot.name", settings.debezium.get("slot.name", slot_name(settings))),
        stored.get("publication.name", settings.debezium.get("publication.name", publication_name(settings))),
    )


def delete_connector(settings: Settings, drop_slot: bool, slot_wait_s: float = 30.0) -> DeleteReport:
    """Delete the connector; with ``drop_slot`` also its stored offsets, replication slot (once inactive) and
    publication, so a later ``apply`` starts over with a snapshot. Without it the offsets and the slot stay
    together, and a later ``apply`` resumes exactly where it stopped."""
    slot, publication = slot_names(settings)
    name = settings.connector_name
    offsets_cleared = False
    with client_for(settings) as client:
        if drop_slot and client.status(name) is not None:
            stop_and_wait(client, name, 60.0)
            client.delete_offsets(name)
            offsets_cleared = True
        deleted = client.delete(name)
    report = DeleteReport(name, deleted, slot, publication, offsets_cleared=offsets_cleared)
    if not drop_slot:
        return report
    slot_result, still = slots.drop_slot(settings, slot, wait_s=slot_wait_s)
    existed = slots.drop_publication(settings, publication)
    return DeleteReport(
        settings.connector_name,
        deleted,
        slot,
        publication,
        slot_result=slot_result,
        publication_result="dropped" if existed else "absent",
        active_pid=still.active_pid if still else None,
        offsets_cleared=offsets_cleared,
    )
