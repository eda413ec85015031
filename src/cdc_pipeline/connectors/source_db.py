"""What the connector commands ask of PostgreSQL: preflight facts, the signal table, slots and publications.

Only SQL lives here; the decisions (is this fact a problem? what is the fix?) are pure code in
:mod:`cdc_pipeline.connectors.preflight`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import psycopg

from cdc_pipeline import column_types
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import redact
from cdc_pipeline.connectors.model import TableRef, publication_name, signal_table
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.type_contract import ColumnType

Connection = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True)
class TableFacts:
    table: TableRef
    exists: bool
    has_primary_key: bool = False
    replica_identity: str = "d"  # pg_class.relreplident: d(efault), n(othing), f(ull), i(ndex)
    columns: tuple[tuple[str, ColumnType], ...] = ()  # (name, type) of every column, in order
    # A missing table's likely new name: a table the connector's publication holds (by oid, so across
    # ALTER TABLE ... RENAME TO) that the table list does not name.
    renamed_to: str | None = None
    # date/timestamp columns whose statistics (pg_stats, kept by ANALYZE) show values before year 1 AD
    bc_columns: tuple[str, ...] = ()
    # timestamp columns whose statistics show a year from 294247 on (beyond Debezium's microseconds)
    far_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlotFacts:
    name: str
    active: bool
    active_pid: int | None = None
    retained_wal_bytes: int | None = None


@dataclass(frozen=True)
class SourceFacts:
    """Everything preflight needs to know about the source database, gathered in one round of queries."""

    wal_level: str
    user: str
    can_replicate: bool
    max_replication_slots: int
    slots: list[SlotFacts] = field(default_factory=list)
    tables: list[TableFacts] = field(default_factory=list)


@contextmanager
def connect(settings: Settings) -> Iterator[Connection]:
    """An autocommit connection; a failure becomes one line naming the server (never the password)."""
    try:
        with psycopg.connect(postgres_dsn(settings), autocommit=True) as conn:
            yield conn
    except psycopg.Error as exc:
        message = redact(str(exc).strip().splitlines()[0], [settings.postgres_password.get_secret_value()])
        raise CdcError(
            f"PostgreSQL at 127.0.0.1:{settings.postgres_port} (database {settings.postgres_db}, "
            f"user {settings.postgres_user}): {message}",
            "check `cdc status`, postgres_port and the credentials in .credentials",
        ) from exc


def gather_facts(settings: Settings, tables: Sequence[TableRef]) -> SourceFacts:
    with connect(settings) as conn:
        wal_level = _one(conn, "SHOW wal_level")
        user, can_replicate = conn.execute(
            "SELECT current_user, rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone() or ("?", False)
        return SourceFacts(
            wal_level=str(wal_level),
            user=str(user),
            can_replicate=bool(can_replicate),
            max_replication_slots=int(str(_one(conn, "SHOW max_replication_slots"))),
            slots=slots(conn),
            tables=_renamed(
                conn, settings, table_facts(conn, tables, leave_out=[TableRef.parse(settings.signal_table)])
            ),
        )


def _renamed(conn: Connection, settings: Settings, facts: list[TableFacts]) -> list[TableFacts]:
    """Give each missing table the one published table nobody lists (a rename), if there is exactly one."""
    if all(f.exists for f in facts):
        return facts
    rows = conn.execute(
        "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = %s",
        (publication_name(settings),),
    ).fetchall()
    listed = {f.table.qualified for f in facts} | {signal_table(settings).qualified}
    extra = [f"{s}.{t}" for s, t in rows if f"{s}.{t}" not in listed]
    missing = [f for f in facts if not f.exists]
    if len(extra) != 1 or len(missing) != 1:
        return facts
    return [replace(f, renamed_to=extra[0]) if not f.exists else f for f in facts]


def _one(conn: Connection, query: str) -> object:
    row = conn.execute(query.encode()).fetchone()
    return row[0] if row else None


def slots(conn: Connection) -> list[SlotFacts]:
    rows = conn.execute(
        "SELECT slot_name, active, active_pid, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint "
        "FROM pg_replication_slots ORDER BY slot_name"
    ).fetchall()
    return [
        SlotFacts(str(name), bool(active), pid if isinstance(pid, int) else None, _int(wal))
        for name, active, pid, wal in rows
    ]


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int) else None


def expand_schemas(
    conn: Connection, tables: Sequence[TableRef], leave_out: Sequence[TableRef] = ()
) -> tuple[list[TableRef], list[TableFacts]]:
    """Each whole schema (``schema.*``) replaced by the tables it holds today (``leave_out`` aside); and, for
    each whole schema, a fact saying whether the schema exists."""
    expanded: list[TableRef] = []
    schemas: list[TableFacts] = []
    for table in tables:
        if not table.is_whole_schema:
            expanded.append(table)
            continue
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (table.schema,)).fetchone()
        schemas.append(TableFacts(table, exists is not None))
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname",
            (table.schema,),
        ).fetchall()
        found = [TableRef(table.schema, str(name)) for (name,) in rows]
        expanded.extend(t for t in found if t not in leave_out and t not in expanded)
    return expanded, schemas


def table_facts(
    conn: Connection, tables: Sequence[TableRef], leave_out: Sequence[TableRef] = ()
) -> list[TableFacts]:
    """Facts of each table; a whole schema gives one fact for the schema and one per table it holds."""
    tables, schemas = expand_schemas(conn, tables, leave_out)
    rows = conn.execute(
        "SELECT n.nspname, c.relname, c.relreplident, "
        "  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN unnest(%s::text[], %s::text[]) AS wanted(s, t) "
        "  ON n.nspname = wanted.s AND c.relname = wanted.t "
        "WHERE c.relkind IN ('r', 'p')",
        ([t.schema for t in tables], [t.table for t in tables]),
    ).fetchall()
    found = {(str(s), str(t)): (str(ident), bool(pk)) for s, t, ident, pk in rows}
    columns = _column_types(conn, tables)
    bc_columns, far_columns = _suspect_columns(conn, tables)
    facts = []
    for table in tables:
        if (table.schema, table.table) in found:
            ident, pk = found[(table.schema, table.table)]
            facts.append(
                TableFacts(
                    table,
                    True,
                    has_primary_key=pk,
                    replica_identity=ident,
                    columns=tuple(columns.get((table.schema, table.table), [])),
                    bc_columns=tuple(bc_columns.get((table.schema, table.table), [])),
                    far_columns=tuple(far_columns.get((table.schema, table.table), [])),
                )
            )
        else:
            facts.append(TableFacts(table, False))
    return schemas + facts


def _column_types(
    conn: Connection, tables: Sequence[TableRef]
) -> dict[tuple[str, str], list[tuple[str, ColumnType]]]:
    wanted = ([t.schema for t in tables], [t.table for t in tables])
    return column_types.from_rows(conn.execute(column_types.COLUMN_TYPES.encode(), wanted).fetchall())


# Columns whose sampled values (pg_stats: histogram bounds and most common values, gathered by ANALYZE)
# show values Debezium cannot send exactly: BC dates/timestamps, and timestamps from year 294247 on. Cheap
# (no table scan), not exhaustive (a sample, and only once the table is analyzed).
_SUSPECT_COLUMNS = """
SELECT s.schemaname, s.tablename, s.attname,
  concat(s.histogram_bounds::text, s.most_common_vals::text) LIKE '%% BC%%',
  a.atttypid = 'timestamp'::regtype AND EXISTS (
    SELECT 1 FROM regexp_matches(concat(s.histogram_bounds::text, s.most_common_vals::text),
                                 '(\\d{6,})-\\d\\d-\\d\\d', 'g') AS m
    WHERE m[1]::numeric >= 294247)
FROM pg_stats s
JOIN unnest(%s::text[], %s::text[]) AS wanted(sn, tn) ON s.schemaname = wanted.sn AND s.tablename = wanted.tn
JOIN pg_namespace n ON n.nspname = s.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
WHERE a.atttypid IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype)
"""

Columns = dict[tuple[str, str], list[str]]


def _suspect_columns(conn: Connection, tables: Sequence[TableRef]) -> tuple[Columns, Columns]:
    """(columns with BC values, timestamp columns with values from 294247 AD on), per table."""
    rows = conn.execute(
        _SUSPECT_COLUMNS.encode(), ([t.schema for t in tables], [t.table for t in tables])
    ).fetchall()
    bc: Columns = {}
    far: Columns = {}
    for schema, table, column, has_bc, has_far in rows:
        if has_bc:
            bc.setdefault((str(schema), str(table)), []).append(str(column))
        if has_far:
            far.setdefault((str(schema), str(table)), []).append(str(column))
    return bc, far
