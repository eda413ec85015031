"""The one catalog query that describes captured columns' types for the type contract, and its rows.

Shared by the preflight (:mod:`cdc_pipeline.connectors.source_db`) and the running sink
(:mod:`cdc_pipeline.sink.source_catalog`), so a column refused before the start is refused the same way
when it appears later (``ALTER TABLE ... ADD COLUMN``, a table created in a captured schema). Pure: the
caller runs the SQL with two ``text[]`` parameters, the schemas and the tables, pairwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from cdc_pipeline.type_contract import ColumnType

# A column's type with a domain resolved to its base type (Debezium does the same), and an array's element.
# Generated columns are left out: pgoutput does not send them. The last column: a CHECK constraint on the
# column calls array_ndims (PostgreSQL does not enforce an array column's declared dimensions otherwise).
COLUMN_TYPES = """
SELECT n.nspname, c.relname, a.attname, b.typname, b.typtype, e.typname, e.typtype, a.attndims,
  EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c'
          AND a.attnum = ANY(k.conkey) AND pg_get_constraintdef(k.oid) LIKE '%%array_ndims(%%')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN unnest(%s::text[], %s::text[]) AS wanted(s, t) ON n.nspname = wanted.s AND c.relname = wanted.t
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY n.nspname, c.relname, a.attnum
"""

TableColumns = dict[tuple[str, str], list[tuple[str, ColumnType]]]


def from_rows(rows: Iterable[tuple[object, ...]]) -> TableColumns:
    """``(schema, table)`` -> ``[(column, its type), ...]`` in attnum order, from :data:`COLUMN_TYPES`."""
    found: TableColumns = {}
    for schema, table, column, typname, typtype, element, element_typtype, dims, checked in rows:
        column_type = ColumnType(
            typname=str(typname),
            typtype=str(typtype),
            element=None if element is None else str(element),
            element_typtype=None if element_typtype is None else str(element_typtype),
            dimensions=int(str(dims)),
            dimensions_checked=bool(checked),
        )
        found.setdefault((str(schema), str(table)), []).append((str(column), column_type))
    return found
