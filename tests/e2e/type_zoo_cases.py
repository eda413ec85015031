"""The type zoo: every type the type contract lets land, with its special values and its expectation.

Built from PostgreSQL 15's data-type chapter (not from DESIGN's table). Each :class:`Case` is one table
``zoo_<name>_<suffix> (id, v <decl>[, va <decl>[]])``. Its expectation comes from the contract's outcome:

- ``native``: ``pg`` and ``duck`` are SQL expressions (``{c}`` is the column) that turn the PostgreSQL value
  and the DuckDB value into the same comparable form (exact integers, text of exact numbers, epoch
  microseconds, ...). Where a form can be taken from PostgreSQL itself it is (``{c}::text``);
- ``text``: DuckDB holds PostgreSQL's output text exactly (``concat({c})`` is the output function's text).

Arrays (``va``) apply the same per-element expression on both sides (``unnest``/``list_transform``), so an
element is compared as its column would be. ``snapshot`` values are inserted before the connector starts;
every value (``stream``) is also inserted while it streams. Python-side ``pg_py``/``duck_py`` normalize what
SQL cannot (WKB blobs, JSON documents).
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# the output function's text (``::text`` differs for inet/cidr: it adds /32); concat alone makes NULL ''
TEXT_PG = "CASE WHEN {c} IS NULL THEN NULL ELSE concat({c}) END"
TEXT_DUCK = "CAST({c} AS VARCHAR)"
# exact numbers as canonical text (no trailing fractional zeros): the value, not its display scale
NUM_PG = "CASE WHEN {c} IS NULL THEN NULL ELSE trim_scale({c}::numeric)::text END"
NUM_DUCK = "CAST({c} AS VARCHAR)"  # normalized in Python (DuckDB pads DECIMAL(p,s) to s digits)
EPOCH_PG = (
    "CASE WHEN isfinite({c}) THEN ((extract(epoch from {c}) * 1000000)::numeric(40,0))::text"
    " ELSE {c}::text END"
)
EPOCH_DUCK = "CASE WHEN isfinite({c}) THEN CAST(epoch_us({c}) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"
DAYS_PG = "CASE WHEN isfinite({c}) THEN ({c} - date '1970-01-01')::text ELSE {c}::text END"
DAYS_DUCK = (
    "CASE WHEN isfinite({c}) THEN CAST(date_diff('day', DATE '1970-01-01', {c}) AS VARCHAR)"
    " ELSE CAST({c} AS VARCHAR) END"
)
TIME_PG = "((extract(epoch from {c}) * 1000000)::bigint)::text"
TIME_DUCK = (
    "CAST(hour({c}) * 3600000000::BIGINT + minute({c}) * 60000000::BIGINT + microsecond({c}) AS VARCHAR)"
)
INTERVAL_PG = (
    "CASE WHEN {c} IS NULL THEN NULL ELSE concat_ws(' ',"
    " (extract(year from {c}) * 12 + extract(month from {c}))::bigint, extract(day from {c})::bigint,"
    " (extract(hour from {c}) * 3600000000 + extract(minute from {c}) * 60000000"
    " + extract(microseconds from {c}))::bigint) END"
)
INTERVAL_DUCK = (
    "CASE WHEN {c} IS NULL THEN NULL ELSE concat_ws(' ', datepart('year', {c}) * 12 + datepart('month', {c}),"
    " datepart('day', {c}), datepart('hour', {c}) * 3600000000::BIGINT"
    " + datepart('minute', {c}) * 60000000::BIGINT + datepart('microseconds', {c})) END"
)


def canonical_number(value: Any) -> Any:
    """'1.50' and '1.5' are one number; anything not a finite number is kept as it is."""
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        if number.is_finite():
            text = format(number, "f")
            return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def float_form(value: Any) -> Any:
    """A float's exact identity: repr keeps -0.0 apart from 0.0 and names nan."""
    return repr(float(value)) if isinstance(value, float) else value


def wkb_points(value: Any) -> Any:
    """The (x, y) points of a WKB point/linestring/polygon, in order (little- or big-endian)."""
    if value is None:
        return None
    data = bytes(value)
    endian = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(endian + "I", data, 1)
    offset = 5
    if kind == 1:
        return [struct.unpack_from(endian + "dd", data, offset)]
    rings = 1
    if kind == 3:
        (rings,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
    points: list[tuple[float, float]] = []
    for _ in range(rings):
        (count,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        for i in range(count):
            points.append(struct.unpack_from(endian + "dd", data, offset + 16 * i))
        offset += 16 * count
    return points


def pg_points(value: Any) -> Any:
    """The points PostgreSQL's text of a point/lseg/path/polygon lists, in order."""
    if value is None:
        return None
    numbers = [float(n) for n in re.findall(r"[-+]?[0-9.]+(?:e[-+]?[0-9]+)?", value)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def pg_polygon_ring(value: Any) -> Any:
    """A polygon's WKB ring repeats its first point at the end."""
    points = pg_points(value)
    return None if points is None else [*points, points[0]]


def pg_box_corners(value: Any) -> Any:
    """The four corners of a box as a set (WKB lists them as a closed ring in its own order)."""
    points = pg_points(value)
    if points is None:
        return None
    (x1, y1), (x2, y2) = points
    return {(x1, y1), (x1, y2), (x2, y1), (x2, y2)}


def wkb_corners(value: Any) -> Any:
    points = wkb_points(value)
    return None if points is None else set(points)


def parsed_json(value: Any) -> Any:
    return None if value is None else json.loads(value)


def pg_line(value: Any) -> Any:
    if value is None:
        return None
    a, b, c = (float(n) for n in value.strip("{}").split(","))
    return {"a": a, "b": b, "c": c}


def pg_circle(value: Any) -> Any:
    if value is None:
        return None
    x, y, r = (float(n) for n in re.findall(r"[-+]?[0-9.]+(?:e[-+]?[0-9]+)?", value))
    return {"x": x, "y": y, "r": r}


def duck_circle(value: Any) -> Any:
    if value is None:
        return None
    doc = json.loads(value)
    center = doc["center"]
    if isinstance(center, dict) and "x" in center:
        x, y = center["x"], center["y"]
    else:
        x, y = center
    return {"x": float(x), "y": float(y), "r": float(doc["radius"])}


def duck_line(value: Any) -> Any:
    if value is None:
        return None
    return {k: float(v) for k, v in json.loads(value).items()}


Py = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Case:
    name: str
    decl: str  # the column's declared type ({enum}/{domain} are replaced with the test's own types)
    typname: str  # the contract row (pg_type.typname) it proves
    stream: list[str]  # SQL literals inserted while streaming (special values included)
    snapshot: list[str] = field(default_factory=list)  # inserted before the connector: the initial snapshot
    pg: str = TEXT_PG
    duck: str = TEXT_DUCK
    array: bool = True  # also a `va <decl>[]` column (the contract says Debezium sends such arrays)
    pg_py: Py = _same
    duck_py: Py = _same


def numeric_case(name: str, decl: str, stream: list[str], snapshot: list[str]) -> Case:
    """numeric[] is refused (Debezium sends NULL for an array holding NaN or ±Infinity): no array column."""
    return Case(
        name, decl, "numeric", stream, snapshot, NUM_PG, NUM_DUCK, False, canonical_number, canonical_number
    )


FLOAT_PG, FLOAT_DUCK = "{c}::float8", "CAST({c} AS DOUBLE)"
FLOAT_SPECIAL = ["'NaN'", "'Infinity'", "'-Infinity'", "'-0'", "0", "1.5"]

CASES: list[Case] = [
    Case("int2", "smallint", "int2", ["-32768", "32767", "0"], ["-32768", "32767"], "{c}", "{c}"),
    Case(
        "int4",
        "integer",
        "int4",
        ["-2147483648", "2147483647", "0"],
        ["-2147483648", "2147483647"],
        "{c}",
        "{c}",
    ),
    Case(
        "int8",
        "bigint",
        "int8",
        ["-9223372036854775808", "9223372036854775807", "0"],
        ["-9223372036854775808", "9223372036854775807"],
        "{c}",
        "{c}",
    ),
    numeric_case("num10_2", "numeric(10,2)", ["-99999999.99", "99999999.99", "0", "-0.01"], ["12.5"]),
    numeric_case(
        "num38_0",
        "numeric(38,0)",
        ["-99999999999999999999999999999999999999", "99999999999999999999999999999999999999", "0"],
        ["99999999999999999999999999999999999999"],
    ),
    numeric_case(
        "num38_38",
        "numeric(38,38)",
        ["0.99999999999999999999999999999999999999", "-0.00000000000000000000000000000000000001"],
        ["0.5"],
    ),
    numeric_case("num2_5", "numeric(2,5)", ["0.00099", "-0.00001"], ["0.00012"]),
    # NaN and ±Infinity widen the column to exact text (PostgreSQL's 'NaN', 'Infinity', '-Infinity')
    Case("num10_2_nan", "numeric(10,2)", "numeric", ["'NaN'", "1.50", "-0.01"], ["12.50"], array=False),
    numeric_case(
        "numfree_special",
        "numeric",
        ["'NaN'", "'Infinity'", "'-Infinity'", "1e100", "0.0000000000000000000001", "2.50"],
        ["'NaN'", "1.5"],
    ),
    Case(  # p > 38: exact text with the declared scale (PostgreSQL's own text)
        "num50_5",
        "numeric(50,5)",
        "numeric",
        ["123456789012345678901234567890123456789012345.12345", "-0.5", "0", "'NaN'"],
        ["1.5"],
        array=False,
    ),
    numeric_case(
        "numfree",
        "numeric",
        [
            "3.14159",
            "-0.000000000000000001",
            "12345678901234567890.123456789012345678",
            "-99999999999999999999",
            "0",
            "1e19",
        ],
        ["2.5", "100"],
    ),
    Case(
        "float4",
        "real",
        "float4",
        [*FLOAT_SPECIAL, "3.4028235e38", "1.4e-45", "-1.17549435e-38"],
        ["1.25", "'NaN'"],
        FLOAT_PG,
        FLOAT_DUCK,
        True,
        float_form,
        float_form,
    ),
    Case(
        "float8",
        "double precision",
        "float8",
        [*FLOAT_SPECIAL, "1.7976931348623157e308", "5e-324", "-2.2250738585072014e-308"],
        ["'-0'", "'Infinity'"],
        FLOAT_PG,
        FLOAT_DUCK,
        True,
        float_form,
        float_form,
    ),
    Case(
        "money",
        "money",
        "money",
        ["'-92233720368547758.08'", "'92233720368547758.07'", "0", "'1.23'"],
        ["'2.50'"],
        "CASE WHEN {c} IS NULL THEN NULL ELSE trim_scale({c}::numeric)::text END",
        NUM_DUCK,
        False,
        canonical_number,
        canonical_number,
    ),
    Case(
        "varchar",
        "varchar(20)",
        "varchar",
        ["''", "'ñandú 🎉'", "'a''b\"c\\d'", "'  spaced  '"],
        ["'x'"],
        "{c}",
        "{c}",
    ),
    Case("bpchar", "char(5)", "bpchar", ["'ab'", "''", "'ü'", "'abcde'"], ["'z'"], "{c}", "{c}"),
    Case(
        "text",
        "text",
        "text",
        [
            "''",
            "'Grüße, 你好, Привет, 🎉👩‍👩‍👧'",
            "'שלום עולם مرحبا'",  # RTL
            "'e\u0301 a\u0308'",  # combining marks
            "E'tab\\tnewline\\nquote\"back\\\\slash'",
            "'__debezium_unavailable_value'",  # the placeholder's text as a real value
        ],
        ["'snap'"],
        "{c}",
        "{c}",
    ),
    Case("char1", '"char"', "char", ["'a'", "'Z'", "' '"], ["'q'"], "{c}", "{c}", False),
    Case(
        "bytea",
        "bytea",
        "bytea",
        ["'\\x'", "'\\x00ff10'", "'\\xdeadbeef00'"],
        ["'\\x01'"],
        "{c}",
        "{c}",
        True,
        lambda v: None if v is None else bytes(v),
        lambda v: None if v is None else bytes(v),
    ),
    Case(
        "date",
        "date",
        "date",
        [
            "'0001-01-01'",
            "'9999-12-31'",
            "'2024-02-29'",
            "'infinity'",
            "'-infinity'",
            "'5874897-12-31'",
            "'4713-01-01 BC'",
            "'0044-03-15 BC'",
        ],
        ["'2000-01-01'", "'infinity'"],  # BC dates only streamed: the snapshot sends them as AD (contract)
        DAYS_PG,
        DAYS_DUCK,
        False,  # arrays refused by the contract (Debezium's array conversion loses values)
    ),
    Case(
        "time",
        "time",
        "time",
        ["'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.789'"],
        ["'01:02:03'"],
        TIME_PG,
        TIME_DUCK,
        False,  # arrays refused by the contract (Debezium's array conversion loses values)
    ),
    Case(  # Debezium sends the UTC time; the contract says the offset lands as +00
        "timetz",
        "timetz",
        "timetz",
        ["'00:00:00+00'", "'12:00:00+02'", "'23:59:59.999999-11'", "'01:00:00+02'", "'10:30:00+05:30'"],
        ["'08:00:00-03'"],
        "CASE WHEN {c} IS NULL THEN NULL ELSE concat((({c} AT TIME ZONE 'UTC')::time)::text, '+00') END",
        TEXT_DUCK,
    ),
    Case(
        "timestamp",
        "timestamp",
        "timestamp",
        [
            "'2024-02-29 12:34:56.123456'",
            "'infinity'",
            "'-infinity'",
            "'0001-01-01 00:00:00'",
            "'294246-12-31 23:59:59.999999'",
            "'1969-12-31 23:59:59.999999'",
            "'0044-03-15 12:00:00 BC'",
        ],
        ["'2000-01-01 00:00:00'", "'-infinity'"],
        EPOCH_PG,
        EPOCH_DUCK,
        False,  # arrays refused by the contract (Debezium's array conversion loses values)
    ),
    Case(
        "timestamptz",
        "timestamptz",
        "timestamptz",
        [
            "'2024-02-29 12:34:56.123456+05:30'",
            "'infinity'",
            "'-infinity'",
            "'0001-01-01 00:00:00+00'",
            "'294246-12-31 23:59:59.999999+00'",
            "'1901-12-13 20:45:52-03'",
        ],
        ["'2000-01-01 00:00:00+00'"],
        EPOCH_PG,
        EPOCH_DUCK,
        False,  # arrays refused by the contract (Debezium's array conversion loses values)
    ),
    Case(
        "interval",
        "interval",
        "interval",
        [
            "'178000000 years'",
            "'-178000000 years'",
            "'1 mon 2 days 03:04:05.678901'",
            "'-1 day +01:00'",
            "'0'",
            "'1000000 hours'",
        ],
        ["'1 day'"],
        INTERVAL_PG,
        INTERVAL_DUCK,
        False,
    ),
    Case("bool", "boolean", "bool", ["true", "false"], ["true"], "{c}", "{c}"),
    Case(
        "point",
        "point",
        "point",
        ["'(1.5,-2)'", "'(0,0)'", "'(-1e300,1e-300)'"],
        ["'(3,4)'"],
        TEXT_PG,
        "{c}",
        False,
        pg_points,
        wkb_points,
    ),
    Case(
        "lseg",
        "lseg",
        "lseg",
        ["'[(0,0),(1,2)]'"],
        ["'[(1,1),(2,2)]'"],
        TEXT_PG,
        "{c}",
        False,
        pg_points,
        wkb_points,
    ),
    Case(
        "box",
        "box",
        "box",
        ["'(2,3),(0,-1)'"],
        ["'(1,1),(0,0)'"],
        TEXT_PG,
        "{c}",
        False,
        pg_box_corners,
        wkb_corners,
    ),
    Case(
        "path",
        "path",
        "path",
        ["'[(0,0),(1,1),(2,0)]'", "'((0,0),(1,1),(2,0))'"],
        ["'[(0,0),(3,3)]'"],
        TEXT_PG,
        "{c}",
        False,
        pg_points,
        wkb_points,
    ),
    Case(
        "polygon",
        "polygon",
        "polygon",
        ["'((0,0),(0,1),(1,1),(1,0))'"],
        ["'((0,0),(2,0),(2,2))'"],
        TEXT_PG,
        "{c}",
        False,
        pg_polygon_ring,
        wkb_points,
    ),
    Case(
        "line",
        "line",
        "line",
        ["'{1,2,3}'", "'{0,-1,0.5}'"],
        ["'{1,-1,0}'"],
        TEXT_PG,
        TEXT_DUCK,
        False,
        pg_line,
        duck_line,
    ),
    Case(
        "circle",
        "circle",
        "circle",
        ["'<(1,2),3>'", "'<(-1.5,0),0.25>'"],
        ["'<(0,0),1>'"],
        TEXT_PG,
        TEXT_DUCK,
        False,
        pg_circle,
        duck_circle,
    ),
    Case(
        "inet",
        "inet",
        "inet",
        ["'192.168.0.1/24'", "'::1'", "'10.0.0.1'", "'2001:db8::1/64'"],
        ["'127.0.0.1'"],
    ),
    Case("cidr", "cidr", "cidr", ["'192.168.0.0/24'", "'2001:db8::/32'", "'10.0.0.0/8'"], ["'10.1.0.0/16'"]),
    Case(
        "macaddr",
        "macaddr",
        "macaddr",
        ["'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'"],
        ["'00:00:00:00:00:00'"],
    ),
    Case("macaddr8", "macaddr8", "macaddr8", ["'08:00:2b:01:02:03:04:05'"], ["'00:00:00:00:00:00:00:01'"]),
    Case(
        "bit4",
        "bit(4)",
        "bit",
        ["B'1010'", "B'0000'", "B'0001'", "B'1111'"],
        ["B'0110'"],
        "{c}::text",
        TEXT_DUCK,
        False,
    ),
    Case("bit1", "bit(1)", "bit", ["B'1'", "B'0'"], ["B'1'"], "({c} = B'1')", "{c}", False),
    Case(
        "tsvector",
        "tsvector",
        "tsvector",
        ["'a fat cat:1,3 sat:2B'", "''", "'''quoted word'' x'"],
        ["'snap'"],
        array=False,  # Debezium 3.7 sends NULL for a tsvector[] (seen): refused by the contract
    ),
    Case(
        "uuid",
        "uuid",
        "uuid",
        [
            "'00000000-0000-0000-0000-000000000000'",
            "'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'",
            "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
        ],
        ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'"],
    ),
    Case("xml", "xml", "xml", ["'<a b=\"1\">x &amp; y</a>'", "'plain text'"], ["'<s/>'"], array=False),
    Case(
        "json",
        "json",
        "json",
        ['\'{"a" :  [1, 2.50, {"b": null}]}\'', "'\"just a string\"'", "'null'", "'[]'", '\'{"é": "🎉"}\''],
        ["'{}'"],
    ),
    Case(
        "jsonb",
        "jsonb",
        "jsonb",
        ['\'{"z": 1, "a": [1, 2.50]}\'', "'\"s\"'", "'null'", "'{}'", '\'{"é": "🎉"}\''],
        ["'[1]'"],
    ),
    Case("int4range", "int4range", "int4range", ["'[1,5)'", "'empty'", "'(,3]'", "'[2,)'"], ["'[1,2)'"]),
    Case(
        "int8range",
        "int8range",
        "int8range",
        ["'[-9223372036854775808,9223372036854775807)'", "'empty'"],
        ["'[1,2)'"],
    ),
    Case("numrange", "numrange", "numrange", ["'[1.50,2.250]'", "'(,)'", "'empty'"], ["'[1,2)'"]),
    Case(
        "tsrange",
        "tsrange",
        "tsrange",
        ["'[2024-01-01 00:00,2024-02-01 12:00)'", "'[-infinity,infinity]'"],
        ["'[2000-01-01,2000-01-02)'"],
    ),
    Case(
        "tstzrange",
        "tstzrange",
        "tstzrange",
        ["'[2024-01-01 00:00+02,2024-02-01 12:00+00)'"],
        ["'[2000-01-01 00:00+00,)'"],
    ),
    Case(
        "daterange",
        "daterange",
        "daterange",
        ["'[2024-01-01,2024-02-01)'", "'[2024-01-01,2024-01-01]'"],
        ["'(,2000-01-01)'"],
    ),
    Case("oid", "oid", "oid", ["0", "4294967295", "12345"], ["1"], "{c}::bigint", "{c}"),
    # Debezium 3.7 sends NULL for an array of an enum (seen): refused by the contract
    Case("enum", "{enum}", "enum", ["'sad'", "'happy'", "'with space'"], ["'ok'"], "{c}::text", "{c}", False),
    Case("domain", "{domain}", "domain", ["-5", "2147483647"], ["7"], "{c}", "{c}", False),
]
