"""Which DuckDB column type changes keep every existing value exact: the schema-evolution type rules.

When the source changes a column's type, the DuckDB column is either altered to the new type (a *widening*:
every value the old type holds converts exactly, and reads back as Postgres would show it), kept as it is
(the new type is narrower, so new values fit the old column), or the change is incompatible and the table
stops.

Widenings, one rule per line of :data:`_RULES` (old -> new):

- SMALLINT -> INTEGER -> BIGINT (and SMALLINT -> BIGINT)
- REAL -> DOUBLE; SMALLINT -> REAL/DOUBLE and INTEGER -> DOUBLE (exact: the float mantissa holds them)
- DECIMAL(p1,s1) -> DECIMAL(p2,s2) when s2 >= s1 and p2 - s2 >= p1 - s1 (no integer digit nor fraction lost)
- SMALLINT/INTEGER/BIGINT -> DECIMAL(p,s) when p - s >= 5/10/19 digits
- SMALLINT/INTEGER/BIGINT/BOOLEAN/DECIMAL/JSON/UUID -> VARCHAR (DuckDB's text form equals Postgres's)
- T[] -> U[] when T -> U is a widening
- anything else (TIMESTAMP <-> TIMESTAMPTZ, floats -> VARCHAR, VARCHAR -> anything, ...) is incompatible:
  the converted values would depend on a session setting or would not read back as the source shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum

_ALIASES = {
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "SIGNED": "INTEGER",
    "INT2": "SMALLINT",
    "SHORT": "SMALLINT",
    "INT8": "BIGINT",
    "LONG": "BIGINT",
    "FLOAT": "REAL",
    "FLOAT4": "REAL",
    "FLOAT8": "DOUBLE",
    "BOOL": "BOOLEAN",
    "LOGICAL": "BOOLEAN",
    "TEXT": "VARCHAR",
    "STRING": "VARCHAR",
    "CHAR": "VARCHAR",
    "BPCHAR": "VARCHAR",
    "BYTEA": "BLOB",
    "BINARY": "BLOB",
    "VARBINARY": "BLOB",
    "BITSTRING": "BIT",
    "DATETIME": "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
    "TIME WITH TIME ZONE": "TIMETZ",
    "NUMERIC": "DECIMAL(18,3)",
    "DECIMAL": "DECIMAL(18,3)",
}
_DECIMAL = re.compile(r"^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$")
_LENGTH = re.compile(r"^(VARCHAR|CHAR|BPCHAR|TEXT|STRING)\s*\(\s*\d+\s*\)$")
_INT_DIGITS = {"SMALLINT": 5, "INTEGER": 10, "BIGINT": 19}
_EXACT_TEXT = {"SMALLINT", "INTEGER", "BIGINT", "BOOLEAN", "JSON", "UUID"}


def normalize_type(duck_type: str) -> str:
    """One spelling per type (DuckDB's catalog says ``FLOAT`` for REAL, ``TIMESTAMP WITH TIME ZONE``, ...)."""
    text = " ".join(duck_type.strip().upper().split())
    if text.endswith("[]"):
        return normalize_type(text[:-2]) + "[]"
    decimal = _DECIMAL.match(text)
    if decimal:
        return f"DECIMAL({decimal.group(1)},{decimal.group(2) or 0})"
    length = _LENGTH.match(text)
    if length:
        return "VARCHAR"
    return _ALIASES.get(text, text)


def decimal_parts(duck_type: str) -> tuple[int, int] | None:
    """(precision, scale) of a normalized DECIMAL type, else None."""
    match = _DECIMAL.match(duck_type)
    return (int(match.group(1)), int(match.group(2) or 0)) if match else None


def _int_widens(old: str, new: str) -> bool:
    return old in _INT_DIGITS and new in _INT_DIGITS and _INT_DIGITS[new] >= _INT_DIGITS[old]


def _float_widens(old: str, new: str) -> bool:
    return (old, new) in {
        ("REAL", "DOUBLE"),
        ("SMALLINT", "REAL"),
        ("SMALLINT", "DOUBLE"),
        ("INTEGER", "DOUBLE"),
    }


def _decimal_widens(old: str, new: str) -> bool:
    new_parts = decimal_parts(new)
    if new_parts is None:
        return False
    precision, scale = new_parts
    if old in _INT_DIGITS:
        return precision - scale >= _INT_DIGITS[old]
    old_parts = decimal_parts(old)
    return (
        old_parts is not None and scale >= old_parts[1] and precision - scale >= old_parts[0] - old_parts[1]
    )


def _text_widens(old: str, new: str) -> bool:
    return new == "VARCHAR" and (old in _EXACT_TEXT or decimal_parts(old) is not None)


def _list_widens(old: str, new: str) -> bool:
    return old.endswith("[]") and new.endswith("[]") and widens(old[:-2], new[:-2])


_RULES: tuple[Callable[[str, str], bool], ...] = (
    _int_widens,
    _float_widens,
    _decimal_widens,
    _text_widens,
    _list_widens,
)


def widens(old: str, new: str) -> bool:
    """True when a column of type ``old`` can become ``new`` keeping every existing value exact."""
    old, new = normalize_type(old), normalize_type(new)
    return old == new or any(rule(old, new) for rule in _RULES)


class TypeChange(Enum):
    """What evolving a column from its DuckDB type to the source's new type does."""

    SAME = "same"  # nothing to do
    ALTER = "alter"  # ALTER COLUMN ... TYPE new: a widening
    KEEP = "keep"  # the DuckDB column is already wider: new values are cast into it
    INCOMPATIBLE = "incompatible"


def type_change(current: str, new: str) -> TypeChange:
    """Classify a column type change (see the module docstring for the rules)."""
    if normalize_type(current) == normalize_type(new):
        return TypeChange.SAME
    if widens(current, new):
        return TypeChange.ALTER
    if widens(new, current):
        return TypeChange.KEEP
    return TypeChange.INCOMPATIBLE
