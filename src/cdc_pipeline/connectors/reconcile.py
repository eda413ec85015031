"""Before a STOPPED connector runs: read its stored offset and its slot, decide, and clear what would diverge.

The decision is :func:`cdc_pipeline.connectors.position.decide`; this module is its thin I/O: one query on
``pg_replication_slots``, ``GET``/``DELETE /connectors/{name}/offsets``, and dropping a stale slot.
"""

from __future__ import annotations

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import slots, source_db
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.position import Decision, SlotPosition, decide, parse_lsn, parse_offsets
from cdc_pipeline.errors import CdcError


def slot_position(settings: Settings, name: str) -> SlotPosition | None:
    """The slot's confirmed and restart LSNs, or None when PostgreSQL has no slot of that name."""
    with source_db.connect(settings) as conn:
        row = conn.execute(
            "SELECT confirmed_flush_lsn::text, restart_lsn::text, active FROM pg_replication_slots "
            "WHERE slot_name = %s",
            (name,),
        ).fetchone()
    if row is None:
        return None
    confirmed, restart, active = row
    return SlotPosition(
        name,
        parse_lsn(str(confirmed)) if confirmed is not None else None,
        parse_lsn(str(restart)) if restart is not None else None,
        bool(active),
    )


def reconcile(client: ConnectClient, settings: Settings, name: str, config: dict[str, str]) -> Decision:
    """For a STOPPED connector (no task runs): resume as stored, or clear the offset (and a stale slot) so
    that its next start takes a fresh snapshot. Returns what was decided and done."""
    slot = config.get("slot.name", "")
    offset = parse_offsets(client.offsets(name), config.get("topic.prefix", settings.topic_prefix))
    decision = decide(offset, slot_position(settings, slot), slot)
    if decision.clear_offsets:
        client.delete_offsets(name)
    if decision.drop_slot:
        _, still = slots.drop_slot(settings, slot, wait_s=30.0)
        if still is not None:
            raise CdcError(
                f"connector {name} needs a re-snapshot but slot {slot} is in use by pid {still.active_pid}",
                f"stop that consumer (`SELECT pg_terminate_backend({still.active_pid});`), then "
                "`cdc connectors apply` again",
            )
    return decision
