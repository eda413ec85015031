"""The type contract: for every PostgreSQL 15 type, what lands in DuckDB, and whether it lands at all.

One row per type of PostgreSQL's data-type chapter (:data:`CONTRACT`), each with exactly one outcome:

- ``native``: a DuckDB type holding the exact value;
- ``text``: VARCHAR (or JSON) holding the exact text PostgreSQL's output function writes;
- ``refused``: the preflight refuses a captured column of the type, naming table, column and reason, because
  Debezium 3.7 drops the column, or sends NULL or a wrong value for it (facts seen on the real stack, with
  ``pgoutput``, in both the snapshot and streaming).

Arrays follow their element's row (``array`` says whether Debezium 3.7 sends an array of that element at
all); multi-dimensional arrays are refused (Debezium sends ``[null, null]`` for ``integer[][]`` and Java's
``[Ljava.lang.String;@...`` for ``text[][]``). Enums land as VARCHAR, domains as their base type; arrays of a
domain or of an enum (Debezium 3.7 sends NULL for those), composite types and any type not listed here are
refused (Debezium drops such columns unless
``include.unknown.datatypes`` is set, and then sends opaque bytes). This module is pure: the catalog facts
come from :mod:`cdc_pipeline.connectors.source_db`; README's type table is this table, row for row (a
unit test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    NATIVE = "native"
    TEXT = "text"
    REFUSED = "refused"


@dataclass(frozen=True)
class TypeRow:
    typname: str  # pg_type.typname (the catalog's name; the key the preflight looks up)
    sql: str  # the name in PostgreSQL's documentation
    duckdb: str  # the DuckDB column type ("" when refused)
    outcome: Outcome
    notes: str = ""
    array: bool = True  # Debezium 3.7 sends an array of this element type


N, T, R = Outcome.NATIVE, Outcome.TEXT, Outcome.REFUSED
DROPPED = "Debezium 3.7 drops the column (unknown type)"
ARRAYS_REFUSED = "Arrays refused:"  # in a row's notes: why arrays of the type are refused

CONTRACT: tuple[TypeRow, ...] = (
    # numeric types
    TypeRow("int2", "smallint", "SMALLINT", N, "limits exact"),
    TypeRow("int4", "integer", "INTEGER", N, "limits exact"),
    TypeRow("int8", "bigint", "BIGINT", N, "limits exact"),
    TypeRow(
        "numeric",
        "numeric(p,s) / numeric",
        "DECIMAL(p,s); VARCHAR when p > 38; numeric: DECIMAL(38,18)",
        N,
        "sent as exact text (decimal.handling.mode=string). A value the DECIMAL cannot hold (NaN, ±Infinity; "
        "for numeric without precision more than 20 integer or 18 fractional digits) widens the column to "
        "VARCHAR holding PostgreSQL's text ('NaN', 'Infinity'); values already there keep their digits. "
        "Arrays refused: Debezium 3.7 sends NULL for a whole numeric[] holding NaN or ±Infinity",
        False,
    ),
    TypeRow("float4", "real", "REAL", N, "NaN, ±Infinity, -0 exact"),
    TypeRow("float8", "double precision", "DOUBLE", N, "NaN, ±Infinity, -0 exact"),
    TypeRow("money", "money", "DECIMAL(38,2)", N, "limits exact (lc_monetary with 2 fraction digits)", False),
    # character types
    TypeRow("varchar", "character varying(n)", "VARCHAR", N),
    TypeRow("bpchar", "character(n)", "VARCHAR", N, "trailing blanks kept"),
    TypeRow(
        "text",
        "text",
        "VARCHAR",
        N,
        "a value equal to Debezium's placeholder '__debezium_unavailable_value' lands exact from inserts and "
        "the snapshot; written by an UPDATE it is taken for an unchanged TOASTed value (the old one stays)",
    ),
    TypeRow("char", '"char"', "VARCHAR", N, "", False),
    TypeRow("name", "name", "", R, "streamed changes carry NULL for name columns (Debezium 3.7)", False),
    # binary
    TypeRow("bytea", "bytea", "BLOB", N),
    # date/time
    TypeRow(
        "date",
        "date",
        "DATE",
        N,
        "±infinity become DuckDB's; BC dates: streamed changes exact, but the initial snapshot sends "
        "4713 BC as 4713 AD (Debezium; not detectable in the sink: the preflight warns when PostgreSQL's "
        "statistics show BC values, and its fix re-streams those rows). Arrays refused: Debezium 3.7 sends "
        "BC elements of a date[] as AD, also when streaming",
        False,
    ),
    TypeRow(
        "time",
        "time",
        "TIME",
        N,
        "24:00:00 kept. Arrays refused: Debezium 3.7 sends time[] elements in ms (µs lost), 24:00 as 00:00",
        False,
    ),
    TypeRow(
        "timetz", "time with time zone", "TIMETZ", N, "Debezium sends it normalized to UTC: the offset is +00"
    ),
    TypeRow(
        "timestamp",
        "timestamp",
        "TIMESTAMP",
        N,
        "±infinity become DuckDB's. From 294247-01-10 on Debezium's µs overflow: it sends Long.MAX (the same "
        "as 'infinity') or a wrapped value; the preflight refuses the column when PostgreSQL's statistics "
        "show such a year, a wrapped value is refused at first sight, but an unanalyzed one can land as "
        "infinity. "
        "Arrays refused: Debezium 3.7 shifts timestamp[] elements before 1582-10-15 (Julian calendar)",
        False,
    ),
    TypeRow(
        "timestamptz",
        "timestamp with time zone",
        "TIMESTAMPTZ",
        N,
        "±infinity become DuckDB's; after DuckDB's 294247-01-10: refused at first sight. Arrays refused: "
        "Debezium 3.7 sends a timestamptz[] element after 294247 AD as garbage",
        False,
    ),
    TypeRow(
        "interval",
        "interval",
        "INTERVAL",
        N,
        "months, days, µs exact (±178M years), except that Debezium 3.7 carries the seconds in a double: a "
        "fraction such as 1.118 s can arrive 1 µs short, in its snapshot and in streamed changes (seen: 82 "
        "of 2,000 values n/1000 s; the preflight warns per column; `cdc tables resnapshot` from PostgreSQL "
        "is exact); a time part beyond ±2562047 hours is refused at first sight",
        False,
    ),
    # boolean, enum
    TypeRow("bool", "boolean", "BOOLEAN", N),
    # geometric
    TypeRow("point", "point", "BLOB", N, "WKB point", False),
    TypeRow("line", "line", "JSON", T, '{"a","b","c"} of Ax+By+C=0', False),
    TypeRow("lseg", "lseg", "BLOB", N, "WKB linestring", False),
    TypeRow("box", "box", "BLOB", N, "WKB polygon", False),
    TypeRow("path", "path", "BLOB", N, "WKB linestring: open/closed is not kept", False),
    TypeRow("polygon", "polygon", "BLOB", N, "WKB polygon", False),
    TypeRow("circle", "circle", "JSON", T, '{"center": point, "radius"}', False),
    # network
    TypeRow("inet", "inet", "VARCHAR", T),
    TypeRow("cidr", "cidr", "VARCHAR", T),
    TypeRow("macaddr", "macaddr", "VARCHAR", T),
    TypeRow("macaddr8", "macaddr8", "VARCHAR", T),
    # bit strings
    TypeRow("bit", "bit(n)", "BIT (bit(1): BOOLEAN)", N, "", False),
    TypeRow("varbit", "bit varying(n)", "", R, "Debezium drops leading zero bits and the length", False),
    # text search
    TypeRow("tsvector", "tsvector", "VARCHAR", T, "", False),
    TypeRow("tsquery", "tsquery", "", R, DROPPED, False),
    # uuid, xml, json
    TypeRow("uuid", "uuid", "UUID", N),
    TypeRow("xml", "xml", "VARCHAR", T, "", False),
    TypeRow("json", "json", "JSON", T, "text kept as written"),
    TypeRow("jsonb", "jsonb", "JSON", T),
    TypeRow("jsonpath", "jsonpath", "", R, DROPPED, False),
    # ranges (multiranges are refused)
    *(
        TypeRow(name, name, "VARCHAR", T, "PostgreSQL's text, e.g. [1,5)")
        for name in ("int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange")
    ),
    *(
        TypeRow(name, name, "", R, DROPPED, False)
        for name in (
            "int4multirange",
            "int8multirange",
            "nummultirange",
            "tsmultirange",
            "tstzmultirange",
            "datemultirange",
        )
    ),
    # object identifiers
    TypeRow("oid", "oid", "BIGINT", N),
    *(
        TypeRow(name, name, "", R, DROPPED, False)
        for name in (
            "regclass",
            "regcollation",
            "regconfig",
            "regdictionary",
            "regnamespace",
            "regoper",
            "regoperator",
            "regproc",
            "regprocedure",
            "regrole",
            "regtype",
            "xid",
            "xid8",
            "cid",
            "tid",
        )
    ),
    # pg_lsn, snapshots
    TypeRow("pg_lsn", "pg_lsn", "", R, DROPPED, False),
    TypeRow("pg_snapshot", "pg_snapshot", "", R, DROPPED, False),
    TypeRow("txid_snapshot", "txid_snapshot", "", R, DROPPED, False),
)

BY_TYPNAME = {row.typname: row for row in CONTRACT}


@dataclass(frozen=True)
class ColumnType:
    """A column's type as the catalog describes it (see ``source_db.column_facts``)."""

    typname: str  # the type's own name (a domain's base type already resolved)
    typtype: str  # pg_type.typtype: b(ase), e(num), c(omposite), d(omain), r(ange), m(ultirange), p(seudo)
    element: str | None = None  # the element typname of an array type
    element_typtype: str | None = None
    dimensions: int = 0  # pg_attribute.attndims (declared dimensions; 0 for a non-array)
    dimensions_checked: bool = False  # a CHECK constraint on the column calls array_ndims


def refusal(column: ColumnType) -> str | None:
    """Why a captured column of this type is refused, or None when it lands (natively or as text)."""
    if column.element is None:
        if column.typtype == "e":
            return None
        if column.typtype == "c":
            return f"composite type {column.typname}: {DROPPED}"
        row = BY_TYPNAME.get(column.typname)
        if row is None:
            return f"type {column.typname} is not in the type contract ({DROPPED})"
        return f"{row.sql}: {row.notes}" if row.outcome is Outcome.REFUSED else None
    if column.dimensions > 1:
        return (
            f"{column.dimensions}-dimensional array: Debezium 3.7 sends NULL elements or Java object text "
            "for multi-dimensional arrays"
        )
    if column.element_typtype == "d":
        return f"array of domain {column.element}: {DROPPED}"
    if column.element_typtype == "e":
        return f"array of enum {column.element}: Debezium 3.7 sends NULL for it"
    element = BY_TYPNAME.get(column.element)
    if element is not None and ARRAYS_REFUSED in element.notes:
        return f"array of {column.element}: {element.notes.split(ARRAYS_REFUSED, 1)[1].strip()}"
    if element is None or element.outcome is Outcome.REFUSED or not element.array:
        return f"array of {column.element}: Debezium 3.7 drops the column or sends NULL for it"
    return None
