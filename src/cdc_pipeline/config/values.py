"""Parsers for the pipeline-definition settings, so each accepts its natural form in every layer.

``cdc.yaml`` gives mappings and lists; ``.env`` and ``CDC_*`` variables give strings, so each field also takes
a compact one-line form (or JSON). Every parser returns the one canonical shape the model stores, or raises
``ValueError`` with the accepted forms (pydantic turns it into the one-line config error).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SECRET_KEY = re.compile(r"password|secret|token|credential|jaas", re.IGNORECASE)
MASK = "********"


def is_secret_key(key: str) -> bool:
    """True for a setting or connector property whose value must never be shown."""
    return bool(SECRET_KEY.search(key))


def mask_config(config: dict[str, str]) -> dict[str, str]:
    """A connector configuration fit to print: every secret-looking property masked."""
    return {k: MASK if is_secret_key(k) else v for k, v in config.items()}


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret value in it masked (for messages that come from other systems)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def _json_if_braced(text: str) -> Any:
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            return json.loads(stripped)
        except ValueError as exc:
            raise ValueError(f"not valid JSON ({exc})") from exc
    return None


def _split(text: str, sep: str = ",") -> list[str]:
    """``text`` split at every ``sep`` outside double quotes, each part stripped, empty parts dropped."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


QUOTING_HINT = (
    'double-quote a name holding . , ; : " or surrounding spaces, inner quotes doubled, '
    'e.g. public."my table" or public."say ""hi"""'
)


def _name(part: str, value: str) -> str:
    """One name of a text form: a double-quoted name is unquoted (inner ``""`` is one ``"``); a bare name is
    taken as written."""
    part = part.strip()
    if len(part) >= 2 and part[0] == '"' and part[-1] == '"':
        inner = part[1:-1]
        if inner and '"' not in inner.replace('""', ""):
            return inner.replace('""', '"')
    if not part or '"' in part:
        raise ValueError(f"{value!r}: {part!r} is not a name; {QUOTING_HINT}")
    return part


def split_qualified(value: str, count: int, kind: str) -> list[str]:
    """``value`` as ``count`` dot-separated names (``schema.table``, ``schema.table.column``), quote-aware."""
    text = value.strip()
    parts = _split(text, ".") if text else []
    if len(parts) != count or text.startswith(".") or text.endswith(".") or ".." in text.replace('"', ""):
        example = 'public."my.table"' if count == 2 else 'public."my.table"."a column"'
        raise ValueError(f"{value!r} is not a {kind} name (double-quote a name holding a dot: {example})")
    return [_name(p, value) for p in parts]


def split_table(value: str) -> tuple[str, str]:
    """``schema.table`` → (schema, table); see :data:`QUOTING_HINT` for names holding ``.`` and the like."""
    schema, table = split_qualified(value, 2, "schema.table")
    return schema, table


def render_name(name: str) -> str:
    """The name as the text forms read it back: bare when that is unambiguous, else double-quoted."""
    if name and name == name.strip() and not any(c in name for c in '.,;:"'):
        return name
    return '"' + name.replace('"', '""') + '"'


def render_table(schema: str, table: str) -> str:
    """``schema.table`` as :func:`split_table` reads it back, e.g. ``public."a.b"``."""
    return f"{render_name(schema)}.{render_name(table)}"


WHOLE_SCHEMA = "*"


def parse_tables(value: Any) -> dict[str, list[str]]:
    """``{schema: [table, ...]}``, ``{schema: "*"}``, a list of ``schema.table`` / ``schema.*``, or the same
    comma-separated on one line (``public.users,public."a b",billing.*``) / JSON.

    Names in a mapping are exact (``{public: ["a b", "x,y"]}``); the ``schema.table`` text forms double-quote
    a name holding ``.``, ``,``, ``;``, ``:`` or ``"``. ``*`` stands for every table of the schema, now and
    later; such a schema is stored as ``["*"]`` (:data:`WHOLE_SCHEMA`).
    """
    if isinstance(value, str):
        parsed = _json_if_braced(value)
        value = parsed if parsed is not None else _split(value)
    if isinstance(value, list):
        grouped: dict[str, list[str]] = {}
        for item in value:
            text = str(item)
            parts = _split(text, ".")
            if len(parts) == 2 and parts[1] == WHOLE_SCHEMA:
                grouped.setdefault(_name(parts[0], text), []).append(WHOLE_SCHEMA)
                continue
            schema, table = split_table(text)
            grouped.setdefault(schema, []).append(table)
        return {schema: _whole_or_list(schema, tables) for schema, tables in grouped.items()}
    if isinstance(value, dict):
        result: dict[str, list[str]] = {}
        for schema, tables in value.items():
            names = [_name(t, tables) for t in _split(tables)] if isinstance(tables, str) else tables
            if not isinstance(schema, str) or not schema:
                raise ValueError(f"{schema!r} is not a schema name")
            if not isinstance(names, list) or not all(isinstance(t, str) and t for t in names):
                raise ValueError(f'schema {schema!r}: expected a list of table names, or "*" for every table')
            result[schema] = _whole_or_list(schema, names)
        return result
    raise ValueError("expected {schema: [table, ...]} or a list of schema.table names")


def _whole_or_list(schema: str, tables: list[str]) -> list[str]:
    if WHOLE_SCHEMA in tables:
        if len(tables) > 1:
            others = ", ".join(t for t in tables if t != WHOLE_SCHEMA)
            raise ValueError(
                f"schema {schema!r}: both * (every table) and single tables ({others}); keep only *"
            )
        return [WHOLE_SCHEMA]
    seen: set[str] = set()
    for table in tables:
        if table in seen:
            raise ValueError(f"table {render_table(schema, table)} is listed twice")
        seen.add(table)
    return tables


def parse_columns(value: Any) -> list[str]:
    """A list of ``schema.table.column`` names, or the same comma-separated on one line (names quoted as in
    :func:`split_table`); stored in that text form, with quotes only where needed."""
    items = _split(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("expected a list of schema.table.column names")
    result = []
    for item in items:
        schema, table, column = split_qualified(str(item), 3, "schema.table.column")
        result.append(f"{render_table(schema, table)}.{render_name(column)}")
    return result


def split_column(value: str) -> tuple[str, str, str]:
    """A stored ``schema.table.column`` back into its three names."""
    schema, table, column = split_qualified(value, 3, "schema.table.column")
    return schema, table, column


def parse_key_columns(value: Any) -> dict[str, list[str]]:
    """``{schema.table: [column, ...]}``, or Debezium's line form ``public.events:id,ts;public.log:seq``.

    Keys are stored as :func:`render_table` writes them (``public."a.b"``), so they match
    ``TableRef.text``.
    """
    if isinstance(value, str):
        parsed = _json_if_braced(value)
        if parsed is None:
            parsed = {}
            for entry in _split(value, ";"):
                parts = _split(entry, ":")
                if len(parts) != 2:
                    raise ValueError(f"{entry!r}: expected schema.table:column,... ({QUOTING_HINT})")
                parsed[parts[0]] = [_name(c, entry) for c in _split(parts[1])]
        value = parsed
    if not isinstance(value, dict):
        raise ValueError("expected {schema.table: [column, ...]}")
    result: dict[str, list[str]] = {}
    for table, columns in value.items():
        key = render_table(*split_table(str(table)))
        names = [_name(c, str(table)) for c in _split(columns)] if isinstance(columns, str) else columns
        if not isinstance(names, list) or not names or not all(isinstance(c, str) and c for c in names):
            raise ValueError(f"{table!r}: expected a non-empty list of column names")
        result[key] = names
    return result


def parse_properties(value: Any) -> dict[str, str]:
    """Debezium property overrides, a mapping or a JSON object; values become strings, as Connect needs."""
    if isinstance(value, str):
        value = _json_if_braced(value) if value.strip() else {}
    if not isinstance(value, dict):
        raise ValueError('expected a mapping of Debezium properties, e.g. {"snapshot.mode": "no_data"}')
    return {str(k): _property_text(v) for k, v in value.items()}


def _property_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, dict | list):
        raise ValueError(f"property values must be strings, numbers or booleans, got {value!r}")
    return str(value)


def read_table_file(path: Path) -> dict[str, list[str]]:
    """The original demo's ``connector_config.json``: ``{"public": ["users", "orders"]}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read table list {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in data.values()
    ):
        raise ValueError(f"{path}: expected a mapping of schema to a list of table names")
    return parse_tables(data)
