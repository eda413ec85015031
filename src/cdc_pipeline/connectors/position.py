"""Resume or re-snapshot: where a (re)created connector may start without the replica diverging.

Pure decisions, no I/O. The inputs are Connect's stored source offset for the connector (``GET
/connectors/{name}/offsets``) and the facts of its replication slot (``pg_replication_slots``).

Why the comparison is exact: Debezium commits an offset to Connect first and only then confirms its
``lsn_commit`` (or ``lsn_proc`` when no commit was seen yet) to the slot, so for the slot the connector
itself fed, ``confirmed_flush_lsn <=`` the stored resume LSN. On START_REPLICATION PostgreSQL sends every
transaction that committed after ``max(requested LSN, confirmed_flush_lsn)``. So:

- slot present and ``confirmed_flush_lsn <= resume LSN``: nothing after the stored offset was released, the
  slot still holds it all (``restart_lsn <= confirmed_flush_lsn``): **resume** exactly; unless the slot's
  ``restart_lsn`` is after the offset's ``lsn_proc``, which Debezium itself refuses ("no longer available
  on the server", ``PostgresConnection.validateLogPosition``): **re-snapshot**;
- slot present but ``confirmed_flush_lsn > resume LSN``: the slot was created again or advanced by someone
  else; changes between the two LSNs are gone: **re-snapshot**;
- slot missing with an offset: the WAL after the offset is not kept by anything, and Debezium would fail
  on (or silently skip past) the stored LSN: **re-snapshot**;
- no offset: Debezium snapshots by itself (``snapshot.mode=initial``). A leftover slot is dropped first, so
  the snapshot and the stream start at the same point (a stale slot would replay older changes after the
  snapshot, duplicating rows of key-less tables): **re-snapshot** (or **snapshot** for a first start).

A re-snapshot clears the stored offset; the snapshot's first record of each table makes the sink replace its
DuckDB copy (``source.snapshot`` ``first``/``first_in_data_collection``), so no stale row survives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["resume", "resnapshot", "snapshot"]


@dataclass(frozen=True)
class StoredOffset:
    """Debezium PostgreSQL's source offset (keys of ``PostgresOffsetContext``), LSNs as integers."""

    lsn: int | None = None
    lsn_commit: int | None = None
    lsn_proc: int | None = None
    tx_id: int | None = None
    snapshot_in_progress: bool = False  # "snapshot": true without "last_snapshot_record": true

    @property
    def resume_lsn(self) -> int | None:
        """The LSN Debezium confirms to the slot for this offset: lsn_commit, else lsn_proc, else lsn."""
        for value in (self.lsn_commit, self.lsn_proc, self.lsn):
            if value is not None:
                return value
        return None


@dataclass(frozen=True)
class SlotPosition:
    name: str
    confirmed_flush_lsn: int | None
    restart_lsn: int | None = None
    active: bool = False


@dataclass(frozen=True)
class Decision:
    kind: Kind
    reason: str
    lsn: int | None = None  # resume: the stored LSN it resumes at
    clear_offsets: bool = False
    drop_slot: bool = False

    def line(self) -> str:
        """What was done and why, e.g. ``re-snapshot: slot cdc_x was dropped ...; cleared the offset``."""
        if self.kind == "resume":
            return f"resumed at LSN {format_lsn(self.lsn)}: {self.reason}"
        done = [
            what
            for what, did in (
                ("dropped the slot", self.drop_slot),
                ("cleared the offset", self.clear_offsets),
            )
            if did
        ]
        actions = f"; {' and '.join(done)}" if done else ""
        return f"{'re-snapshot' if self.kind == 'resnapshot' else 'snapshot'}: {self.reason}{actions}"

    def preview(self) -> str:
        """What `apply` would do and why, before anything is changed."""
        if self.kind == "resume":
            return f"resume at LSN {format_lsn(self.lsn)}: {self.reason}"
        todo = [
            what
            for what, do in (("drop the slot", self.drop_slot), ("clear the offset", self.clear_offsets))
            if do
        ]
        actions = f" (it would {' and '.join(todo)})" if todo else ""
        return f"{'re-snapshot' if self.kind == 'resnapshot' else 'snapshot'}: {self.reason}{actions}"


def format_lsn(lsn: int | None) -> str:
    """PostgreSQL's text form of an LSN, e.g. ``0/16B3748``."""
    return "unknown" if lsn is None else f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def parse_lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def parse_offsets(answer: Mapping[str, Any], server: str) -> StoredOffset | None:
    """The offset stored for ``server`` (the topic prefix) in a ``GET /connectors/{n}/offsets`` answer."""
    for entry in answer.get("offsets", []):
        partition, offset = entry.get("partition") or {}, entry.get("offset")
        if partition.get("server") != server or not offset:
            continue
        return StoredOffset(
            lsn=_int(offset.get("lsn")),
            lsn_commit=_int(offset.get("lsn_commit")),
            lsn_proc=_int(offset.get("lsn_proc")),
            tx_id=_int(offset.get("txId")),
            snapshot_in_progress=bool(offset.get("snapshot")) and not offset.get("last_snapshot_record"),
        )
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return None


def decide(offset: StoredOffset | None, slot: SlotPosition | None, slot_name: str) -> Decision:
    """Resume exactly, or re-snapshot and why; see the module doc for the rule."""
    if offset is None or offset.resume_lsn is None:
        if slot is None:
            return Decision(
                "snapshot",
                "Connect holds no offset for it (a new connector, or one deleted with its slot): Debezium "
                "takes a full snapshot, which replaces each table's DuckDB copy, and creates slot "
                f"{slot_name}",
            )
        return Decision(
            "resnapshot",
            f"Connect holds no offset for it and slot {slot_name} is left from before (the snapshot and the "
            "stream must start at the same point)",
            drop_slot=True,
        )
    stored = offset.resume_lsn
    if slot is None:
        return Decision(
            "resnapshot",
            f"slot {slot_name} was dropped: no slot keeps the WAL after the stored offset (LSN "
            f"{format_lsn(stored)})",
            clear_offsets=True,
        )
    if slot.confirmed_flush_lsn is None:
        return Decision(
            "resnapshot",
            f"slot {slot_name} has no confirmed position (not a logical slot Debezium made)",
            clear_offsets=True,
            drop_slot=True,
        )
    if slot.confirmed_flush_lsn > stored:
        return Decision(
            "resnapshot",
            f"slot {slot_name} is at LSN {format_lsn(slot.confirmed_flush_lsn)}, after the stored offset "
            f"(LSN {format_lsn(stored)}): the changes between were released (the slot was created again or "
            "advanced)",
            clear_offsets=True,
            drop_slot=True,
        )
    streaming_from = offset.lsn_proc if offset.lsn_proc is not None else offset.lsn
    if slot.restart_lsn is not None and streaming_from is not None and slot.restart_lsn > streaming_from:
        return Decision(
            "resnapshot",
            f"slot {slot_name} keeps WAL only from LSN {format_lsn(slot.restart_lsn)}, after the stored "
            f"offset (LSN {format_lsn(streaming_from)}; Debezium refuses such an offset)",
            clear_offsets=True,
            drop_slot=True,
        )
    during = ", restarting its interrupted snapshot" if offset.snapshot_in_progress else ""
    return Decision(
        "resume",
        f"slot {slot_name} still holds every change after it (confirmed LSN "
        f"{format_lsn(slot.confirmed_flush_lsn)}){during}",
        lsn=stored,
    )
