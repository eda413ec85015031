"""Follow the source's DDL so values stay right: renamed columns keep their values, added columns get the
values PostgreSQL gave the rows that already existed.

Runs inside the batch's transaction, before the table's rows are applied (so every event of the batch, and
every later one, overwrites what is filled here with the value it carries):

1. A new table is created; the attnum of each column is recorded in ``_cdc.columns`` when PostgreSQL's catalog
   names exactly the event's columns (otherwise nothing is recorded, and a later rename is refused rather
   than guessed).
2. When an event names a column DuckDB does not have, or the recorded attnums of its columns no longer rise
   in the event's order (a swap), the catalog is asked which column is which (:mod:`.renames`): renamed
   columns are renamed in DuckDB (``RENAME COLUMN``), the others are added.
3. An added column on a table that has rows: existing rows get
   - nothing (NULL) when the column has no DEFAULT now nor in Debezium's schema;
   - the DEFAULT, through DuckDB's ``ADD COLUMN ... DEFAULT``, when it is a constant (:mod:`.defaults`), the
     rows hold it (``attmissingval``: a ``SET DEFAULT`` since would change the catalog, not the rows) and
     Debezium's value is the same;
   - otherwise (``now()``, ``gen_random_uuid()``, ``nextval(...)``, ...) their real value read from PostgreSQL
     now (key + column), *backfilled* in the same transaction as the ``ADD COLUMN``. Rows deleted since keep
     NULL until their delete arrives; rows changed since get their newer value, which their own later event
     carries anyway.
   A backfill that cannot be done (no primary key, a type whose text form DuckDB cannot read back exactly,
   a column already gone from PostgreSQL) stops the table with `cdc tables resnapshot` as the fix.

Every rename, default and backfill is logged and kept in ``_cdc.schema_changes``.

A renamed *table* (``ALTER TABLE a RENAME TO b``) is not followed: the publication keeps it (by oid) but
Debezium's ``table.include.list`` names ``a``, so its changes are dropped before Kafka and no event ever
tells the sink. The sink records each table's oid (``_cdc.relations``) and checks between batches
(:meth:`SchemaFollower.renamed_tables`); a renamed table is stopped, its reason naming the new name and the
fix (put the new name in ``tables`` and run `cdc connectors apply`, which snapshots it anew).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from cdc_pipeline.sink import added_columns, refused_columns
from cdc_pipeline.sink.batch import TableBatch
from cdc_pipeline.sink.ddl import ExistingColumn, plan_evolution, rename_column
from cdc_pipeline.sink.errors import TableStopError
from cdc_pipeline.sink.naming import TargetTable, source_key, target_table
from cdc_pipeline.sink.renames import AmbiguousRename, IdentityPlan, plan_identity
from cdc_pipeline.sink.schema_tables import (
    FORGET_IDS,
    FORGET_OID,
    READ_IDS,
    RUNNING_OIDS,
    STORE_ID,
    STORE_OID,
    audit,
    resnapshot_fix,
    stop_unasked,
    table_renamed,
)
from cdc_pipeline.sink.source_catalog import CatalogColumn, CatalogUnavailable, SourceCatalog

if TYPE_CHECKING:
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

log = logging.getLogger("cdc_pipeline.sink")


class SchemaFollower:
    """Evolves one DuckDB table per call; ``catalog`` None (no PostgreSQL) evolves by name only."""

    def __init__(self, catalog: SourceCatalog | None) -> None:
        self.catalog = catalog
        self._bootstrapped: set[str] = set()

    def evolve(
        self, target: DuckDBTarget, changes: TableBatch, existing: Sequence[ExistingColumn]
    ) -> list[str]:
        table = target_table(changes.source_schema, changes.source_table)
        source = source_key(changes.source_schema, changes.source_table)
        if self.catalog is not None:  # once per new schema of the table (known_schemas skips the rest)
            refused_columns.check_table(self.catalog, changes.source_schema, changes.source_table)
        if not existing:
            statements = plan_evolution(changes, existing)
            _run(target, source, statements)
            target.execute(source, "forget column ids", FORGET_IDS, [source])
            self._record_when_catalog_agrees(target, changes)
        elif self.catalog is None or _unchanged(changes, existing, target.fetch(READ_IDS, [source])):
            self._bootstrap(target, changes)
            statements = plan_evolution(changes, existing)
            _run(target, source, statements)
        else:
            statements = self._follow(target, changes, table, existing)
        return statements

    def refused_tables(self, target: DuckDBTarget) -> dict[str, str]:
        """Running tables with a column of a refused type now (:mod:`.refused_columns`)."""
        return {} if self.catalog is None else refused_columns.refused_tables(self.catalog, target)

    def forget(self, target: DuckDBTarget, source: str) -> None:
        """The DuckDB table was dropped (re-snapshot): its column identities go too."""
        target.execute(source, "forget column ids", FORGET_IDS, [source])
        target.execute(source, "forget its oid", FORGET_OID, [source])
        self._bootstrapped.discard(source)

    def renamed_tables(self, target: DuckDBTarget) -> dict[str, str]:
        """Running tables PostgreSQL now knows under another name: ``schema.table`` -> the stop reason."""
        if self.catalog is None:
            return {}
        recorded = {int(str(oid)): str(source) for source, oid in target.fetch(RUNNING_OIDS, [])}
        if not recorded:
            return {}
        try:
            now = self.catalog.relation_names(sorted(recorded))
        except CatalogUnavailable as exc:
            log.warning("could not check the captured tables' names: %s", exc)
            return {}
        stopped: dict[str, str] = {}
        for oid, source in recorded.items():
            if oid in now and source_key(*now[oid]) != source:
                stopped[source] = table_renamed(source, source_key(*now[oid]))
        return stopped

    # -- identities ------------------------------------------------------------------------------------

    def _catalog_columns(self, changes: TableBatch) -> list[CatalogColumn]:
        assert self.catalog is not None
        try:
            return self.catalog.columns(changes.source_schema, changes.source_table)
        except CatalogUnavailable as exc:
            raise stop_unasked(changes, exc) from exc

    def _record_when_catalog_agrees(self, target: DuckDBTarget, changes: TableBatch) -> None:
        """Store attnums when the catalog's columns are exactly the event's (else events lag the catalog)."""
        source = source_key(changes.source_schema, changes.source_table)
        self._bootstrapped.add(source)
        if self.catalog is None:
            return
        try:
            oid = self.catalog.relation_oid(changes.source_schema, changes.source_table)
            target.execute(source, "forget its oid", FORGET_OID, [source])
            if oid is not None:
                target.execute(source, "record its oid", STORE_OID, [source, oid])
            columns = self.catalog.columns(changes.source_schema, changes.source_table)
        except CatalogUnavailable as exc:
            log.warning(
                "table %s: column identities not recorded (a later rename will stop it): %s", source, exc
            )
            return
        if sorted(c.name for c in columns) != sorted(c.name for c in changes.columns):
            log.warning(
                "table %s: PostgreSQL's columns differ from the event's (DDL since); column identities not "
                "recorded, so a later column rename stops the table instead of being followed",
                source,
            )
            return
        for column in columns:
            target.execute(source, "record column ids", STORE_ID, [source, column.name, column.attnum])

    def _bootstrap(self, target: DuckDBTarget, changes: TableBatch) -> None:
        """Tables created before identities were recorded get them once per sink run, when safe."""
        source = source_key(changes.source_schema, changes.source_table)
        if source in self._bootstrapped or self.catalog is None:
            return
        if target.fetch(READ_IDS, [source]):
            self._bootstrapped.add(source)
            return
        self._record_when_catalog_agrees(target, changes)

    def _follow(
        self,
        target: DuckDBTarget,
        changes: TableBatch,
        table: TargetTable,
        existing: Sequence[ExistingColumn],
    ) -> list[str]:
        assert self.catalog is not None
        source = source_key(changes.source_schema, changes.source_table)
        catalog = self._catalog_columns(changes)
        stored = {str(name): int(str(attnum)) for name, attnum in target.fetch(READ_IDS, [source])}
        try:
            plan = plan_identity(
                [c.name for c in changes.columns],
                [c.name for c in existing],
                stored,
                {c.name: c.attnum for c in catalog},
            )
        except AmbiguousRename as exc:
            raise TableStopError(
                f"table {source}: the columns of its events changed and the sink cannot tell safely which "
                f"DuckDB column each one is: {exc}",
                resnapshot_fix(source),
            ) from exc
        has_rows = bool(target.fetch(f"SELECT 1 FROM {table.sql} LIMIT 1", []))
        by_name = {c.name: c for c in catalog}
        added = [
            added_columns.agreed(
                self.catalog,
                target,
                changes,
                added_columns.decide(source, column, by_name.get(column.name), has_rows),
            )
            for column in changes.columns
            if column.name in plan.new_columns
        ]
        added_columns.check_backfills(source, changes, added)
        renamed = _after_renames(existing, plan)
        statements = [rename_column(table, old, new) for old, new in plan.renames]
        no_default = [a.column.name for a in added if a.fill != "default"]
        statements += plan_evolution(changes, renamed, no_default)
        _run(target, source, statements)
        for old, new in plan.renames:
            if not old.startswith("__cdc_rename_"):
                log.warning("table %s: column %r renamed to %r (values kept)", source, old, new)
        for old, new in _net_renames(plan):
            audit(target, source, "rename", new, f"renamed from {old!r}, values kept")
        for item in added:
            added_columns.fill(self.catalog, target, changes, table, item)
        self._store_ids(target, source, renamed, plan, stored)
        return statements

    def _store_ids(
        self,
        target: DuckDBTarget,
        source: str,
        columns: Sequence[ExistingColumn],
        plan: IdentityPlan,
        stored: dict[str, int],
    ) -> None:
        moved = {old.lower(): new.lower() for old, new in _net_renames(plan)}
        ids = {moved.get(name.lower(), name.lower()): attnum for name, attnum in stored.items()}
        ids.update({name.lower(): attnum for name, attnum in plan.attnums.items()})
        spelled = {c.name.lower(): c.name for c in columns} | {name.lower(): name for name in plan.attnums}
        target.execute(source, "forget column ids", FORGET_IDS, [source])
        for lower, attnum in ids.items():
            if lower in spelled:
                target.execute(source, "record column ids", STORE_ID, [source, spelled[lower], attnum])


def _unchanged(
    changes: TableBatch, existing: Sequence[ExistingColumn], stored: Sequence[tuple[object, ...]]
) -> bool:
    """Nothing to ask the catalog: every event column is a DuckDB column, and their recorded attnums rise in
    the event's order (which is attnum order), so no two names changed places (a swap, a dropped column
    back under its old name). Read from ``_cdc.columns``, so it holds across restarts and rollbacks."""
    duck = {c.name.lower() for c in existing}
    if any(c.name.lower() not in duck for c in changes.columns):
        return False
    ids = {str(name): int(str(attnum)) for name, attnum in stored}
    order = [ids[c.name.lower()] for c in changes.columns if c.name.lower() in ids]
    return all(a < b for a, b in itertools.pairwise(order))


def _after_renames(existing: Sequence[ExistingColumn], plan: IdentityPlan) -> list[ExistingColumn]:
    names = {old.lower(): new for old, new in _net_renames(plan)}
    return [replace(c, name=names.get(c.name.lower(), c.name)) for c in existing]


def _net_renames(plan: IdentityPlan) -> list[tuple[str, str]]:
    """(old, new) per column, through any temporary names."""
    temporary = {old: new for old, new in plan.renames if old.startswith("__cdc_rename_")}
    firsts = [(old, new) for old, new in plan.renames if not old.startswith("__cdc_rename_")]
    return [(old, temporary.get(new, new)) for old, new in firsts]


def _run(target: DuckDBTarget, source: str, statements: Sequence[str]) -> None:
    for statement in statements:
        target.execute(source, "evolve the schema", statement, None)
