"""The PostgreSQL publication of a pipeline that captures whole schemas.

Debezium's ``publication.autocreate.mode=filtered`` lists the tables that exist when the task starts
(``FOR TABLE ...``), so a table created later would never be published. A pipeline with a whole schema
(``public.*``) therefore owns its publication: ``FOR TABLES IN SCHEMA`` (PostgreSQL 15+) publishes every table
of the schema, including ones created later, and the connector runs with ``publication.autocreate.mode =
disabled``. Listed tables and the signal table (when its schema is not captured whole) join as ``TABLE``.
Identifiers are always quoted. Pipelines without a whole schema leave the publication to Debezium.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from cdc_pipeline.config import Settings
from cdc_pipeline.connectors import source_db
from cdc_pipeline.connectors.model import TableRef, publication_name, signal_table
from cdc_pipeline.errors import CdcError


def owns_publication(tables: Sequence[TableRef]) -> bool:
    return any(t.is_whole_schema for t in tables)


def publication_objects(tables: Sequence[TableRef], signal: TableRef) -> sql.Composed:
    """``TABLE "s"."t", ..., TABLES IN SCHEMA "s"``: listed tables, whole schemas and the signal table."""
    schemas = sorted({t.schema for t in tables if t.is_whole_schema})
    listed = [t for t in [*tables, signal] if not t.is_whole_schema and t.schema not in schemas]
    listed = list(dict.fromkeys(listed))
    parts: list[sql.Composable] = []
    if listed:
        parts.append(
            sql.SQL("TABLE {}").format(sql.SQL(", ").join(sql.Identifier(t.schema, t.table) for t in listed))
        )
    if schemas:
        parts.append(
            sql.SQL("TABLES IN SCHEMA {}").format(sql.SQL(", ").join(sql.Identifier(s) for s in schemas))
        )
    return sql.SQL(", ").join(parts)


def ensure_publication(settings: Settings, tables: Sequence[TableRef]) -> str | None:
    """Create or reset the publication for a pipeline with whole schemas; None (untouched) otherwise."""
    if not owns_publication(tables):
        return None
    name = publication_name(settings)
    objects = publication_objects(tables, signal_table(settings))
    with source_db.connect(settings) as conn:
        exists = conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (name,)).fetchone()
        template = "ALTER PUBLICATION {} SET {}" if exists else "CREATE PUBLICATION {} FOR {}"
        statement = sql.SQL(template).format(sql.Identifier(name), objects)
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            raise CdcError(
                f"cannot {'alter' if exists else 'create'} publication {name} "
                f"({statement.as_string(conn)}): {str(exc).strip()}",
                "run it as the tables' owner or a superuser (FOR TABLES IN SCHEMA needs superuser and "
                "PostgreSQL 15+), or list the tables instead of schema.*",
            ) from exc
        return statement.as_string(conn)
