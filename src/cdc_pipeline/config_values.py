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
_NAME = re.compile(r"^[^.\s,;:]+$")


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
    return [part.strip() for part in text.split(sep) if part.strip()]


def _check_names(kind: str, value: str, parts: list[str]) -> list[str]:
    if not all(_NAME.match(p) for p in parts):
        raise ValueError(f"{value!r} is not a {kind}")
    return parts


def split_table(value: str) -> tuple[str, str]:
    """``schema.table`` → (schema, table)."""
    parts = _check_names("schema.table name", value, value.split(".", 1))
    if len(parts) != 2:
        raise ValueError(f"{value!r} is not a schema.table name")
    return parts[0], parts[1]


def parse_tables(value: Any) -> dict[str, list[str]]:
    """``{schema: [table, ...]}``, a list of ``schema.table``, or ``public.users,public.orders`` / JSON."""
    if isinstance(value, str):
        parsed = _json_if_braced(value)
        value = parsed if parsed is not None else _split(value)
    if isinstance(value, list):
        grouped: dict[str, list[str]] = {}
        for item in value:
            schema, table = split_table(str(item))
            grouped.setdefault(schema, []).append(table)
        return grouped
    if isinstance(value, dict):
        result: dict[str, list[str]] = {}
        for schema, tables in value.items():
            names = _split(tables) if isinstance(tables, str) else tables
            if not isinstance(names, list) or not all(isinstance(t, str) for t in names):
                raise ValueError(f"schema {schema!r}: expected a list of table names")
            result[str(schema)] = [_check_names("table name", t, [t])[0] for t in names]
        return result
    raise ValueError("expected {schema: [table, ...]} or a list of schema.table names")


def parse_columns(value: Any) -> list[str]:
    """A list of ``schema.table.column`` names, or the same comma-separated on one line."""
    items = _split(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("expected a list of schema.table.column names")
    for item in items:
        parts = _check_names("schema.table.column name", str(item), str(item).split(".", 2))
        if len(parts) != 3:
            raise ValueError(f"{item!r} is not a schema.table.column name")
    return [str(i) for i in items]


def parse_key_columns(value: Any) -> dict[str, list[str]]:
    """``{schema.table: [column, ...]}``, or Debezium's line form ``public.events:id,ts;public.log:seq``."""
    if isinstance(value, str):
        parsed = _json_if_braced(value)
        if parsed is None:
            parsed = {}
            for entry in _split(value, ";"):
                table, sep, columns = entry.partition(":")
                if not sep:
                    raise ValueError(f"{entry!r}: expected schema.table:column,...")
                parsed[table.strip()] = columns
        value = parsed
    if not isinstance(value, dict):
        raise ValueError("expected {schema.table: [column, ...]}")
    result: dict[str, list[str]] = {}
    for table, columns in value.items():
        split_table(str(table))
        names = _split(columns) if isinstance(columns, str) else columns
        if not isinstance(names, list) or not names or not all(isinstance(c, str) for c in names):
            raise ValueError(f"{table!r}: expected a non-empty list of column names")
        result[str(table)] = names
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
