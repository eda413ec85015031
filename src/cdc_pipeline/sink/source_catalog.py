"""What the sink asks PostgreSQL directly, for DDL only: column identities, defaults, and backfill values.

Events say what a column is called, not which column it is, and Debezium's schema default is a guess for a
default like ``now()``; the catalog knows both. Thin I/O: one autocommit connection, opened on first use and
re-opened after a failure; every failure becomes :class:`CatalogUnavailable` naming the server.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import psycopg
from psycopg import sql

from cdc_pipeline import column_types
from cdc_pipeline.column_types import TableColumns
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import split_column
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.sink.defaults import is_constant_default


@dataclass(frozen=True)
class CatalogColumn:
    """One live column of a source table now: name, ``attnum`` and ``pg_get_expr`` of its DEFAULT."""

    name: str
    attnum: int
    default_expr: str | None = None


class CatalogUnavailable(CdcError):  # noqa: N818 (reads as the condition it reports)
    """PostgreSQL could not be asked; the table waits (nothing is guessed)."""


class SourceCatalog(Protocol):
    def columns(self, schema: str, table: str) -> list[CatalogColumn]:
        """The table's live columns in attnum order; empty when no such table exists now."""
        ...

    def values(
        self, schema: str, table: str, keys: Sequence[str], column: str
    ) -> Iterator[tuple[str | None, ...]]:
        """``(key..., column)`` of every row now, each as PostgreSQL's text output (UTC, ISO)."""
        ...

    def missing_value(self, schema: str, table: str, column: str, constant: str) -> str | None:
        """PostgreSQL's text of ``constant`` (a DEFAULT :func:`.defaults.is_constant_default` accepts) when
        the rows that existed at ``ADD COLUMN`` time hold exactly it (``atthasmissing``, ``attmissingval``
        equal to it, no rewrite since); None otherwise (``SET DEFAULT`` since, added without a default)."""
        ...

    def has_values(self, schema: str, table: str, column: str) -> bool:
        """Whether any row holds a non-NULL value in ``column`` now."""
        ...

    def relation_oid(self, schema: str, table: str) -> int | None:
        """The table's ``pg_class.oid`` (its identity across ``RENAME TO``); None when there is none."""
        ...

    def relation_names(self, oids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """``(schema, table)`` now, per oid that still exists."""
        ...

    def column_types(self, tables: Sequence[tuple[str, str]]) -> TableColumns:
        """The captured columns' types per ``(schema, table)`` (``exclude_columns`` left out), in attnum
        order; a table that does not exist now is absent."""
        ...

    def exclude(self, columns: Sequence[str]) -> None:
        """Replace the excluded ``schema.table.column`` names (`cdc tables` hands over cdc.yaml's)."""
        ...


_COLUMNS = (
    "SELECT a.attname, a.attnum, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
)
_OID = (
    "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')"
)
_NAMES = (
    "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid = ANY(%s::oid[])"
)
# Text output that DuckDB's casts read back exactly (timestamps in UTC, ISO dates, all float digits).
_SESSION = (
    "SET TimeZone = 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 3",
)


class PostgresCatalog:
    """:class:`SourceCatalog` on the captured database (the connection settings the connectors use)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._excluded = frozenset(split_column(c) for c in settings.exclude_columns)

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(postgres_dsn(self._settings), autocommit=True, connect_timeout=10)
            for statement in _SESSION:
                self._conn.execute(statement)
        return self._conn

    def _unavailable(self, what: str, exc: psycopg.Error) -> CatalogUnavailable:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return CatalogUnavailable(
            f"PostgreSQL at 127.0.0.1:{self._settings.postgres_port} "
            f"(database {self._settings.postgres_db}): "
            f"cannot {what}: {first}",
            "check `cdc status`; the table waits until PostgreSQL answers",
        )

    def columns(self, schema: str, table: str) -> list[CatalogColumn]:
        try:
            rows = self._connection().execute(_COLUMNS, (schema, table)).fetchall()
        except psycopg.Error as exc:
            raise self._unavailable(f"read the columns of {schema}.{table}", exc) from exc
        return [
            CatalogColumn(str(name), int(str(attnum)), None if d is None else str(d))
            for name, attnum, d in rows
        ]

    def values(
        self, schema: str, table: str, keys: Sequence[str], column: str
    ) -> Iterator[tuple[str | None, ...]]:
        texts = [sql.SQL("{}::text").format(sql.Identifier(name)) for name in [*keys, column]]
        query = sql.SQL("SELECT {} FROM {}.{}").format(
            sql.SQL(", ").join(texts), sql.Identifier(schema), sql.Identifier(table)
        )
        try:
            with self._connection().cursor() as cursor:
                cursor.execute(query)
                while rows := cursor.fetchmany(10_000):
                    yield from (tuple(None if v is None else str(v) for v in row) for row in rows)
        except psycopg.Error as exc:
            raise self._unavailable(f"read {column!r} of {schema}.{table} to backfill it", exc) from exc

    def missing_value(self, schema: str, table: str, column: str, constant: str) -> str | None:
        if not is_constant_default(constant):  # only a literal with casts is ever put into SQL text
            raise ValueError(f"not a constant: {constant!r}")
        query = sql.SQL(
            "SELECT ({c})::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
            "AND a.attname = %s AND a.atthasmissing AND a.attmissingval::text = (ARRAY[({c})])::text"
        ).format(c=sql.SQL(constant.replace("%", "%%")))  # a literal's % is not a placeholder
        try:
            row = self._connection().execute(query, (schema, table, column)).fetchone()
        except psycopg.Error as exc:
            raise self._unavailable(f"read the DEFAULT of {schema}.{table}.{column}", exc) from exc
        return None if row is None or row[0] is None else str(row[0])

    def has_values(self, schema: str, table: str, column: str) -> bool:
        query = sql.SQL("SELECT 1 FROM {}.{} WHERE {} IS NOT NULL LIMIT 1").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column)
        )
        try:
            return self._connection().execute(query).fetchone() is not None
        except psycopg.Error as exc:
            raise self._unavailable(f"read {column!r} of {schema}.{table}", exc) from exc

    def relation_oid(self, schema: str, table: str) -> int | None:
        try:
            row = self._connection().execute(_OID, (schema, table)).fetchone()
        except psycopg.Error as exc:
            raise self._unavailable(f"find table {schema}.{table}", exc) from exc
        return None if row is None else int(str(row[0]))

    def relation_names(self, oids: Sequence[int]) -> dict[int, tuple[str, str]]:
        try:
            rows = self._connection().execute(_NAMES, (list(oids),)).fetchall()
        except psycopg.Error as exc:
            raise self._unavailable("read the names of the captured tables", exc) from exc
        return {int(str(oid)): (str(schema), str(table)) for oid, schema, table in rows}

    def column_types(self, tables: Sequence[tuple[str, str]]) -> TableColumns:
        wanted = ([schema for schema, _ in tables], [table for _, table in tables])
        try:
            rows = self._connection().execute(column_types.COLUMN_TYPES.encode(), wanted).fetchall()
        except psycopg.Error as exc:
            raise self._unavailable("read the types of the captured columns", exc) from exc
        found = column_types.from_rows(rows)
        return {
            (schema, table): [(c, t) for c, t in columns if (schema, table, c) not in self._excluded]
            for (schema, table), columns in found.items()
        }

    def exclude(self, columns: Sequence[str]) -> None:
        self._excluded = frozenset(split_column(c) for c in columns)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
