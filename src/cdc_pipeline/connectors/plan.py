"""``cdc connectors plan``: the connector config apply would send, its diff against Connect, and preflight."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import MASK, is_secret_key, mask_config
from cdc_pipeline.connectors.apply import client_for, without_name
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import added_tables, connector_config, pipeline_tables
from cdc_pipeline.connectors.position import decide, parse_offsets
from cdc_pipeline.connectors.preflight import Problem, run_preflight
from cdc_pipeline.connectors.reconcile import slot_position
from cdc_pipeline.errors import CdcError


@dataclass(frozen=True)
class ConfigChange:
    key: str
    current: str | None
    planned: str | None


@dataclass(frozen=True)
class PlanReport:
    connector: str
    exists: bool
    config: dict[str, str]  # masked
    changes: list[ConfigChange] = field(default_factory=list)
    snapshot_tables: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    position: str | None = None  # a registered connector that is not running: resume or re-snapshot, and why

    @property
    def action(self) -> str:
        if not self.exists:
            return "create"
        return "update" if self.changes else "none"

    @property
    def ok(self) -> bool:
        return not any(p.blocking for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "action": self.action, "ok": self.ok}


def diff_configs(current: Mapping[str, str], planned: Mapping[str, str]) -> list[ConfigChange]:
    """Keys added, changed or removed, sorted; a secret's values are masked (a change still shows)."""
    changes = []
    for key in sorted(set(current) | set(planned)):
        old, new = current.get(key), planned.get(key)
        if old == new:
            continue
        if is_secret_key(key):
            old, new = (None if old is None else MASK), (None if new is None else f"{MASK} (new value)")
        changes.append(ConfigChange(key, old, new))
    return changes


def plan(settings: Settings) -> PlanReport:
    tables = pipeline_tables(settings)
    config = connector_config(settings, tables)
    with client_for(settings, retry_for_s=10) as client:
        current = client.get_config(settings.connector_name)
        position = _position(client, settings, current)
    stored = None if current is None else without_name(current)
    added = added_tables(tables, stored)
    try:
        problems = run_preflight(settings, tables).problems
    except CdcError as exc:
        problems = [Problem("postgres", str(exc), "start it with `cdc up`, or fix the connection settings")]
    return PlanReport(
        connector=settings.connector_name,
        exists=stored is not None,
        config=mask_config(config),
        changes=[] if stored is None else diff_configs(stored, config),
        snapshot_tables=[t.qualified for t in added],
        problems=problems,
        position=position,
    )


def _position(client: ConnectClient, settings: Settings, current: dict[str, str] | None) -> str | None:
    """What `apply` would decide for a registered connector that is not running (it changes nothing here)."""
    if current is None:
        return None
    state = client.status(settings.connector_name)
    if state is None or state.running:
        return None
    try:
        offset = parse_offsets(client.offsets(settings.connector_name), current.get("topic.prefix", ""))
        slot = current.get("slot.name", "")
        return decide(offset, slot_position(settings, slot), slot).preview()
    except CdcError as exc:
        return f"unknown ({exc})"
