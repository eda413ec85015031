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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pyarrow as pa  # type: ignore[import-untyped]

import duckdb
from cdc_pipeline.sink.changes import Column, TableChanges
from cdc_pipeline.sink.ddl import ExistingColumn, plan_evolution, rename_column
from cdc_pipeline.sink.defaults import is_constant_default
from cdc_pipeline.sink.errors import ApplyError, TableStopError
from cdc_pipeline.sink.naming import BOOKKEEPING_SCHEMA, TargetTable, quote_ident, source_key, target_table
from cdc_pipeline.sink.renames import AmbiguousRename, IdentityPlan, plan_identity
from cdc_pipeline.sink.source_catalog import CatalogColumn, CatalogUnavailable, SourceCatalog
from cdc_pipeline.sink.widening import decimal_parts, normalize_type

if TYPE_CHECKING:
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

log = logging.getLogger("cdc_pipeline.sink")

_CDC = quote_ident(BOOKKEEPING_SCHEMA)
COLUMNS = f'{_CDC}."columns"'
SCHEMA_CHANGES = f'{_CDC}."schema_changes"'
RELATIONS = f'{_CDC}."relations"'

CREATE: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS {COLUMNS} ("
    '"source_table" VARCHAR, "column_name" VARCHAR, "attnum" INTEGER, '
    'PRIMARY KEY ("source_table", "column_name"))',
    f"CREATE TABLE IF NOT EXISTS {SCHEMA_CHANGES} ("
    '"source_table" VARCHAR, "changed_at" TIMESTAMPTZ, "change" VARCHAR, "column_name" VARCHAR, '
    '"detail" VARCHAR, "rows" BIGINT)',
    f'CREATE TABLE IF NOT EXISTS {RELATIONS} ("source_table" VARCHAR PRIMARY KEY, "oid" BIGINT)',
    # The latest of them per table, where `cdc tables` and status read: which way existing rows were filled.
    f'ALTER TABLE {_CDC}."tables" ADD COLUMN IF NOT EXISTS "last_schema_change" VARCHAR',
)
_LAST_CHANGE = f'UPDATE {_CDC}."tables" SET "last_schema_change" = ? WHERE "source_table" = ?'
_FORGET_OID = f'DELETE FROM {RELATIONS} WHERE "source_table" = ?'
_STORE_OID = f'INSERT INTO {RELATIONS} ("source_table", "oid") VALUES (?, ?)'
# Running tables with a recorded oid (stopped ones are already held).
_RUNNING_OIDS = (
    f'SELECT r."source_table", r."oid" FROM {RELATIONS} r JOIN {_CDC}."tables" t USING ("source_table") '
    "WHERE t.\"state\" = 'running'"
)
_READ_IDS = f'SELECT lower("column_name"), "attnum" FROM {COLUMNS} WHERE "source_table" = ?'
_FORGET_IDS = f'DELETE FROM {COLUMNS} WHERE "source_table" = ?'
_STORE_ID = f'INSERT INTO {COLUMNS} ("source_table", "column_name", "attnum") VALUES (?, ?, ?)'
_AUDIT = (
    f'INSERT INTO {SCHEMA_CHANGES} ("source_table", "changed_at", "change", "column_name", "detail", "rows") '
    "VALUES (?, now(), ?, ?, ?, ?)"
)

# DuckDB types whose value CAST(<PostgreSQL text output> AS type) reads back exactly (UTC, ISO session).
_TEXT_EXACT = {
    "BOOLEAN",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "REAL",
    "DOUBLE",
    "VARCHAR",
    "UUID",
    "JSON",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
}


def table_renamed(source: str, renamed: str) -> str:
    """Why a renamed table stops, and the fix (also what preflight says: connectors/preflight.py)."""
    return (
        f"table {source} was renamed to {renamed} in PostgreSQL (ALTER TABLE ... RENAME TO): Debezium "
        "captures tables by name, so its changes no longer reach Kafka and this DuckDB copy is stale. Fix: "
        f"in cdc.yaml `tables` replace {source} with {renamed}, then run `cdc connectors apply` "
        f"(it snapshots {renamed} into DuckDB anew); this stopped copy is then unused"
    )


def reads_back_from_text(duck_type: str) -> bool:
    normal = normalize_type(duck_type)
    return normal in _TEXT_EXACT or decimal_parts(normal) is not None


def resnapshot_fix(source: str) -> str:
    return f"rebuild it from a fresh snapshot with `cdc tables resnapshot {source}`"


@dataclass(frozen=True)
class _Added:
    """How an added column's existing rows get their value."""

    column: Column
    fill: str  # "null" | "default" | "backfill" | "empty" (no rows)
    expression: str | None = None


class SchemaFollower:
    """Evolves one DuckDB table per call; ``catalog`` None (no PostgreSQL) evolves by name only."""

    def __init__(self, catalog: SourceCatalog | None) -> None:
        self.catalog = catalog
        self._bootstrapped: set[str] = set()

    def evolve(
        self, target: DuckDBTarget, changes: TableChanges, existing: Sequence[ExistingColumn]
    ) -> list[str]:
        table = target_table(changes.source_schema, changes.source_table)
        source = source_key(changes.source_schema, changes.source_table)
        if not existing:
            statements = plan_evolution(changes, existing)
            _run(target, source, statements)
            target.execute(source, "forget column ids", _FORGET_IDS, [source])
            self._record_when_catalog_agrees(target, changes)
        elif self.catalog is None or _unchanged(changes, existing, target.fetch(_READ_IDS, [source])):
            self._bootstrap(target, changes)
            statements = plan_evolution(changes, existing)
            _run(target, source, statements)
        else:
            statements = self._follow(target, changes, table, existing)
        return statements

    def forget(self, target: DuckDBTarget, source: str) -> None:
        """The DuckDB table was dropped (re-snapshot): its column identities go too."""
        target.execute(source, "forget column ids", _FORGET_IDS, [source])
        target.execute(source, "forget its oid", _FORGET_OID, [source])
        self._bootstrapped.discard(source)

    def renamed_tables(self, target: DuckDBTarget) -> dict[str, str]:
        """Running tables PostgreSQL now knows under another name: ``schema.table`` -> the stop reason."""
        if self.catalog is None:
            return {}
        recorded = {int(str(oid)): str(source) for source, oid in target.fetch(_RUNNING_OIDS, [])}
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

    def _catalog_columns(self, changes: TableChanges) -> list[CatalogColumn]:
        assert self.catalog is not None
        try:
            return self.catalog.columns(changes.source_schema, changes.source_table)
        except CatalogUnavailable as exc:
            raise _stop_unasked(changes, exc) from exc

    def _record_when_catalog_agrees(self, target: DuckDBTarget, changes: TableChanges) -> None:
        """Store attnums when the catalog's columns are exactly the event's (else events lag the catalog)."""
        source = source_key(changes.source_schema, changes.source_table)
        self._bootstrapped.add(source)
        if self.catalog is None:
            return
        try:
            oid = self.catalog.relation_oid(changes.source_schema, changes.source_table)
            target.execute(source, "forget its oid", _FORGET_OID, [source])
            if oid is not None:
                target.execute(source, "record its oid", _STORE_OID, [source, oid])
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
            target.execute(source, "record column ids", _STORE_ID, [source, column.name, column.attnum])

    def _bootstrap(self, target: DuckDBTarget, changes: TableChanges) -> None:
        """Tables created before identities were recorded get them once per sink run, when safe."""
        source = source_key(changes.source_schema, changes.source_table)
        if source in self._bootstrapped or self.catalog is None:
            return
        if target.fetch(_READ_IDS, [source]):
            self._bootstrapped.add(source)
            return
        self._record_when_catalog_agrees(target, changes)

    def _follow(
        self,
        target: DuckDBTarget,
        changes: TableChanges,
        table: TargetTable,
        existing: Sequence[ExistingColumn],
    ) -> list[str]:
        source = source_key(changes.source_schema, changes.source_table)
        catalog = self._catalog_columns(changes)
        stored = {str(name): int(str(attnum)) for name, attnum in target.fetch(_READ_IDS, [source])}
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
            self._agreed(target, changes, _decide(source, column, by_name.get(column.name), has_rows))
            for column in changes.columns
            if column.name in plan.new_columns
        ]
        _check_backfills(source, changes, added)
        renamed = _after_renames(existing, plan)
        statements = [rename_column(table, old, new) for old, new in plan.renames]
        no_default = [a.column.name for a in added if a.fill != "default"]
        statements += plan_evolution(changes, renamed, no_default)
        _run(target, source, statements)
        for old, new in plan.renames:
            if not old.startswith("__cdc_rename_"):
                log.warning("table %s: column %r renamed to %r (values kept)", source, old, new)
        for old, new in _net_renames(plan):
            _audit(target, source, "rename", new, f"renamed from {old!r}, values kept")
        for item in added:
            self._fill(target, changes, table, item)
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
        target.execute(source, "forget column ids", _FORGET_IDS, [source])
        for lower, attnum in ids.items():
            if lower in spelled:
                target.execute(source, "record column ids", _STORE_ID, [source, spelled[lower], attnum])

    def _agreed(self, target: DuckDBTarget, changes: TableChanges, item: _Added) -> _Added:
        """A constant DEFAULT fills existing rows only when PostgreSQL says they hold it (``attmissingval``:
        ``SET DEFAULT`` since the ``ADD COLUMN`` changes the catalog, not those rows) and Debezium's value is
        the same; otherwise the rows are backfilled."""
        assert self.catalog is not None
        if item.fill == "null":  # no default now: were the rows given values (a default dropped since)?
            schema, name = changes.source_schema, changes.source_table
            try:
                filled = self.catalog.has_values(schema, name, item.column.name)
            except CatalogUnavailable as exc:
                raise _stop_unasked(changes, exc) from exc
            return replace(item, fill="backfill") if filled else item
        if item.fill != "default" or item.expression is None or item.column.default_sql is None:
            return item
        try:
            pg_text = self.catalog.missing_value(
                changes.source_schema, changes.source_table, item.column.name, item.expression
            )
            if pg_text is None:
                return replace(item, fill="backfill")
            # On a cursor of its own: a failed statement must not abort the batch's transaction.
            same = (
                target.cursor()
                .execute(
                    f"SELECT CAST({item.column.default_sql} AS {item.column.duck_type}) "
                    f"IS NOT DISTINCT FROM CAST(? AS {item.column.duck_type})",
                    [pg_text],
                )
                .fetchall()
            )
        except (CatalogUnavailable, duckdb.Error) as exc:
            log.info("DEFAULT %s of %r not compared (%s): backfilled", item.expression, item.column.name, exc)
            return replace(item, fill="backfill")
        return item if same == [(True,)] else replace(item, fill="backfill")

    # -- added columns ---------------------------------------------------------------------------------

    def _fill(self, target: DuckDBTarget, changes: TableChanges, table: TargetTable, item: _Added) -> None:
        source = source_key(changes.source_schema, changes.source_table)
        name = item.column.name
        if item.fill == "empty":
            return
        if item.fill != "backfill":
            detail = (
                f"existing rows took the constant DEFAULT {item.column.default_sql}"
                if item.fill == "default"
                else "no DEFAULT: existing rows hold NULL"
            )
            log.info("table %s: column %r added; %s", source, name, detail)
            _audit(target, source, "add column", name, detail)
            return
        assert self.catalog is not None
        rows = self._backfill(target, changes, table, item.column)
        detail = (
            f"{_why_backfill(item)}: existing rows were backfilled from PostgreSQL "
            "(their value now; later events overwrite it)"
        )
        log.warning("table %s: column %r added; %s (%d rows)", source, name, detail, rows)
        _audit(target, source, "backfill", name, detail, rows)

    def _backfill(
        self, target: DuckDBTarget, changes: TableChanges, table: TargetTable, column: Column
    ) -> int:
        assert self.catalog is not None
        source = source_key(changes.source_schema, changes.source_table)
        keys = list(changes.key_columns)
        try:
            rows = self.catalog.values(changes.source_schema, changes.source_table, keys, column.name)
            staged = _staged(rows, [f"k{i}" for i in range(len(keys))] + ["v"])
        except CatalogUnavailable as exc:
            # Statements already ran in this transaction: fail the batch (rolled back); the loop stops
            # the table.
            raise ApplyError(source, f"backfill column {column.name!r} from PostgreSQL", exc) from exc
        key_types = {c.name: c.duck_type for c in changes.columns}
        match = " AND ".join(
            f"t.{quote_ident(k)} = CAST(b.k{i} AS {key_types[k]})" for i, k in enumerate(keys)
        )
        with target.registered_table(staged) as name:
            return target.execute(
                source,
                f"backfill column {column.name!r}",
                f"UPDATE {table.sql} AS t SET {quote_ident(column.name)} = CAST(b.v AS {column.duck_type}) "
                f"FROM {name} AS b WHERE {match}",
                [],
            )


def _stop_unasked(changes: TableChanges, exc: CatalogUnavailable) -> TableStopError:
    source = source_key(changes.source_schema, changes.source_table)
    return TableStopError(
        f"table {source}: the columns of its events changed (now "
        f"{', '.join(repr(c.name) for c in changes.columns)}) and the sink must ask PostgreSQL which column "
        f"is which and what the existing rows hold, but {exc.what}",
        f"once PostgreSQL answers run `cdc tables resume {source}`",
    )


def _unchanged(
    changes: TableChanges, existing: Sequence[ExistingColumn], stored: Sequence[tuple[object, ...]]
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


def _decide(source: str, column: Column, catalog: CatalogColumn | None, has_rows: bool) -> _Added:
    if not has_rows:
        return _Added(column, "empty")
    if catalog is None:
        if column.default_sql is None:
            return _Added(column, "null")
        raise TableStopError(
            f"table {source}: column {column.name!r} was added with a DEFAULT and is no longer in PostgreSQL "
            "(dropped or renamed since), so the value of the rows that already existed cannot be known",
            resnapshot_fix(source),
        )
    expression = catalog.default_expr
    if expression is None and column.default_sql is None:
        return _Added(column, "null")
    if is_constant_default(expression) and column.default_sql is not None:
        return _Added(column, "default", expression)
    return _Added(column, "backfill", expression)


def _staged(rows: Iterator[tuple[str | None, ...]], names: Sequence[str], chunk: int = 65_536) -> pa.Table:
    """Text rows as an Arrow table of strings, built a chunk at a time (compact, whatever the row count)."""
    schema = pa.schema([(name, pa.string()) for name in names])
    batches = []
    for part in iter(lambda: list(itertools.islice(rows, chunk)), []):
        batches.append(
            pa.record_batch(
                [pa.array([r[i] for r in part], pa.string()) for i in range(len(names))], schema=schema
            )
        )
    return pa.Table.from_batches(batches, schema=schema)


def _why_backfill(item: _Added) -> str:
    if item.expression is None:
        return "PostgreSQL's rows hold values though it has no DEFAULT now"
    if is_constant_default(item.expression):
        return f"the rows that existed do not hold its DEFAULT {item.expression} (changed since)"
    return f"its DEFAULT {item.expression} is not a constant"


def _check_backfills(source: str, changes: TableChanges, added: Sequence[_Added]) -> None:
    """Refuse, before any statement runs, a backfill that could not be exact."""
    for item in added:
        if item.fill != "backfill":
            continue
        why = ""
        if not changes.key_columns:
            why = "the table has no primary key to match its rows by"
        elif not reads_back_from_text(item.column.duck_type):
            why = f"the sink cannot backfill a {item.column.duck_type} column exactly"
        else:
            by_name = {c.name: c.duck_type for c in changes.columns}
            bad = [k for k in changes.key_columns if not reads_back_from_text(by_name.get(k, "?"))]
            why = f"the sink cannot match rows by key columns {bad}" if bad else ""
        if why:
            raise TableStopError(
                f"table {source}: column {item.column.name!r} was added and {_why_backfill(item)}, so the "
                f"rows that already existed hold values only PostgreSQL knows, and {why}",
                resnapshot_fix(source),
            )


def _after_renames(existing: Sequence[ExistingColumn], plan: IdentityPlan) -> list[ExistingColumn]:
    names = {old.lower(): new for old, new in _net_renames(plan)}
    return [replace(c, name=names.get(c.name.lower(), c.name)) for c in existing]


def _net_renames(plan: IdentityPlan) -> list[tuple[str, str]]:
    """(old, new) per column, through any temporary names."""
    temporary = {old: new for old, new in plan.renames if old.startswith("__cdc_rename_")}
    firsts = [(old, new) for old, new in plan.renames if not old.startswith("__cdc_rename_")]
    return [(old, temporary.get(new, new)) for old, new in firsts]


def _audit(  # noqa: PLR0917 (one audit row's fields)
    target: DuckDBTarget, source: str, change: str, column: str, detail: str, rows: int | None = None
) -> None:
    """One row of ``_cdc.schema_changes``, and the same line in ``_cdc.tables.last_schema_change``."""
    target.execute(source, "audit", _AUDIT, [source, change, column, detail, rows])
    counted = "" if rows is None else f" ({rows} rows)"
    target.execute(source, "audit", _LAST_CHANGE, [f"{change} {column!r}: {detail}{counted}", source])


def _run(target: DuckDBTarget, source: str, statements: Sequence[str]) -> None:
    for statement in statements:
        target.execute(source, "evolve the schema", statement, None)
