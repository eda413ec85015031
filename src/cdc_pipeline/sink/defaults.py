"""Is a PostgreSQL column DEFAULT a constant? Decided from ``pg_get_expr(adbin, adrelid)``, not from Debezium.

Debezium puts a default into the event schema even for ``DEFAULT now()`` or ``gen_random_uuid()`` (the epoch,
the zero uuid): a value no row ever had. Only a plain literal, with optional casts, is a constant that every
row existing at ``ADD COLUMN`` time holds, so only then may DuckDB's ``ADD COLUMN ... DEFAULT`` fill them.
Anything else (a function call such as ``now()``, which is STABLE, not VOLATILE, or ``nextval(...)``, an
operator, a sub-expression) is treated as volatile: existing rows are backfilled from PostgreSQL instead.

Examples of constants as PostgreSQL prints them: ``7``, ``'-1'::integer``, ``'abc'::text``,
``'2024-01-01 00:00:00'::timestamp without time zone``, ``true``, ``NULL::integer``, ``(-5)``,
``'{1,2}'::integer[]``.
"""

from __future__ import annotations

import re

_STRING = r"'(?:[^']|'')*'"
_NUMBER = r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
_WORD = r"(?:true|false|null)"
_TYPE = r'(?:"(?:[^"]|"")+"|[a-z_][a-z0-9_ .]*)(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])*'
_CAST = rf"(?:::{_TYPE}\s*)*"
_LITERAL = re.compile(
    rf"^\s*(?:\(\s*)*(?:{_STRING}|{_NUMBER}|{_WORD})(?:\s*\))*\s*{_CAST}(?:\s*\))*\s*{_CAST}$", re.IGNORECASE
)

# Date/time input words that PostgreSQL evaluates when the text is converted (``('now'::text)::date``).
_SPECIAL = re.compile(r"'\s*(?:now|today|tomorrow|yesterday)\s*'", re.IGNORECASE)


def is_constant_default(expression: str | None) -> bool:
    """True for a literal with optional casts (``'x'::text``, ``7``, ``(-5)``); False for anything else.

    ``None`` (no default) is not a constant either: the caller treats "no default" on its own.
    """
    if expression is None or _LITERAL.match(expression) is None:
        return False
    return _SPECIAL.search(expression) is None
