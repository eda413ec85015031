"""The PostgreSQL publication of a pipeline: created and kept in step by `cdc connectors apply`.

Debezium's ``publication.autocreate.mode=filtered`` would do it, but it lists the tables that exist when the
task starts (``FOR TABLE ...``), so a table created later in a captured schema would never be published, and
it writes a name holding ``"`` without doubling the quote, so the ``CREATE PUBLICATION`` fails. The connector
therefore runs with ``disabled`` and apply sets the publication before Connect starts the task:

- listed tables and the signal table (unless its schema is captured whole) as ``TABLE "schema"."table"``,
  every identifier quoted;
- a whole schema (``public.*``) as ``TABLES IN SCHEMA "public"`` (PostgreSQL 15+, superuser), which publishes
  every table of the schema, including ones created later.

An existing publication is reset with ``ALTER PUBLICATION ... SET``, so it follows the table list.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import source_db
from cdc_pipeline.connectors.model import TableRef, publication_name, signal_table
from cdc_pipeline.errors import CdcError


def publication_objects(tables: Sequence[TableRef], signal: TableRef) -> sql.Composed:
    """``TABLE "s"."t", ..., TABLES IN SCHEMA "s"``: listed tables, whole schemas and the signal table."""
    schemas = sorted({t.schema for t in tables if t.is_whole_schema})
    listed = [t for t in [*tables, signal] if not t.is_whole_schema and t.schema not in schemas]
    listed = list(dict.fromkeys(listed))
    parts: list[sql.Composable] = []
    if listed:
        names = sql.SQL(", ").join(sql.Identifier(t.schema, t.table) for t in listed)
        parts.append(sql.SQL("TABLE {}").format(names))
    if schemas:
        parts.append(sql.SQL("TABLES IN SCHEMA {}").format(sql.SQL(", ").join(map(sql.Identifier, schemas))))
    return sql.SQL(", ").join(parts)


def ensure_publication(settings: Settings, tables: Sequence[TableRef]) -> str:
    """Create the publication, or reset it to ``tables``; returns the statement run."""
    name = publication_name(settings)
    objects = publication_objects(tables, signal_table(settings))
    with source_db.connect(settings) as conn:
        exists = conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (name,)).fetchone()
        template = "ALTER PUBLICATION {} SET {}" if exists else "CREATE PUBLICATION {} FOR {}"
        statement = sql.SQL(template).format(sql.Identifier(name), objects)
        text = statement.as_string(conn)
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            raise CdcError(
                f"cannot {'alter' if exists else 'create'} publication {name} ({text}): {str(exc).strip()}",
                "run `cdc connectors apply` as the tables' owner or a superuser (TABLES IN SCHEMA needs a "
                "superuser and PostgreSQL 15+), or list the tables instead of schema.*",
            ) from exc
        return text
