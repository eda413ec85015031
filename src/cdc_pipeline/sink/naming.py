"""Where a source table lands in DuckDB, and how every identifier is written in SQL.

Rules (DESIGN.md, "Naming"):

- Source schema ``public`` lands in DuckDB schema ``main``, so ``SELECT * FROM users`` works; any other source
  schema keeps its exact name as a DuckDB schema.
- Table and column names keep their exact spelling and are always double-quoted, so spaces, quotes, capitals,
  reserved words, dots and non-ASCII letters need no special case anywhere else.

DuckDB matches identifiers case-insensitively even when quoted (it only preserves the spelling), so two source
names differing only in case (``"Users"`` and ``users``) map to the same DuckDB object, as do source
``main.users`` and ``public.users``: preflight refuses both (:mod:`cdc_pipeline.connectors.name_collisions`).
"""

from __future__ import annotations

from dataclasses import dataclass

POSTGRES_DEFAULT_SCHEMA = "public"
DUCKDB_DEFAULT_SCHEMA = "main"
BOOKKEEPING_SCHEMA = "_cdc"


def quote_ident(name: str) -> str:
    """Always quote: doubling inner quotes is the only escaping SQL identifiers need."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """``"schema"."name"``, both parts quoted."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def target_schema(source_schema: str) -> str:
    """The DuckDB schema for a source schema: ``public`` becomes ``main``, others keep their name."""
    return DUCKDB_DEFAULT_SCHEMA if source_schema == POSTGRES_DEFAULT_SCHEMA else source_schema


def source_key(source_schema: str, source_table: str) -> str:
    """The ``schema.table`` text that names a source table in ``_cdc.tables`` and in messages."""
    return f"{source_schema}.{source_table}"


@dataclass(frozen=True)
class TargetTable:
    """A replicated table's place in DuckDB."""

    schema: str
    table: str

    @property
    def sql(self) -> str:
        """The quoted, schema-qualified name to put in SQL text."""
        return qualified(self.schema, self.table)

    @property
    def is_default_schema(self) -> bool:
        """``main`` always exists; other schemas must be created first."""
        return self.schema == DUCKDB_DEFAULT_SCHEMA


def target_table(source_schema: str, source_table: str) -> TargetTable:
    """Where ``source_schema.source_table`` lands in DuckDB."""
    return TargetTable(target_schema(source_schema), source_table)
