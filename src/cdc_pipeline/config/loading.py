"""Settings, layered: defaults < cdc.yaml < .env < .credentials < CDC_* environment < flags.

The files are read from the working directory (or the directory given with ``--project-dir``):

* ``cdc.yaml`` uses the field names below (``postgres_port: 15432``, ``tables: {public: [users]}``).
* ``.env`` holds non-secret ``KEY=value`` lines with upper-case field names (``POSTGRES_PORT=15432``); names
  of the original demo's ``.env`` (``KAFKA_CONNECT_PORT``, ``KAFKA_EXTERNAL_PORT``) are accepted as aliases.
* ``.credentials`` holds the secrets (``POSTGRES_USER``, ``POSTGRES_PASSWORD``, ``POSTGRES_DB``).
* Environment variables are the upper-case field names with the ``CDC_`` prefix (``CDC_POSTGRES_PORT``).

Every value remembers where it came from, so errors and ``cdc config show`` can say so. When no layer lists
the tables, they are read from ``tables_file`` (the original demo's ``connector_config.json`` form), or from
the first of :data:`TABLE_FILE_CANDIDATES` that exists.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dotenv.parser import parse_stream
from pydantic import ValidationError

from cdc_pipeline.config import messages
from cdc_pipeline.config.settings import (
    ALIASES,
    ENV_PREFIX,
    PATH_FIELDS,
    SETTINGS_ENV,
    TABLE_FILE_CANDIDATES,
    Settings,
    config_error,
)
from cdc_pipeline.config.values import read_table_file
from cdc_pipeline.errors import ConfigError

log = logging.getLogger("cdc_pipeline.config")


@dataclass(frozen=True)
class LoadedSettings:
    """The effective settings and, per field, the source its value came from."""

    settings: Settings
    sources: Mapping[str, str] = field(default_factory=dict)


def _read_dotenv(path: Path) -> dict[str, tuple[str, int]]:
    """``KEY=value`` lines as python-dotenv reads them (quotes, escapes, ``export``, inline ``# comments``):
    each key's value and its line number (for messages). No ``${VAR}`` expansion."""
    values: dict[str, tuple[str, int]] = {}
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            number, raw = binding.original.line, binding.original.string.rstrip("\n")
            if binding.error or (binding.key is not None and binding.value is None):
                raise ConfigError(
                    f"{path}:{number}: expected KEY=value, got {raw!r}",
                    'fix or remove that line (quote a value that holds spaces or #: KEY="a b")',
                )
            if binding.key is not None and binding.value is not None:
                values[binding.key] = (binding.value, number)
    return values


def _normalize(key: str) -> str | None:
    name = key.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in Settings.model_fields else None


# Keys of the original demo's .env that configured its docker-compose: accepted, ignored, and said so.
DEMO_ONLY_KEYS = frozenset(
    {
        "PROJECT_NAME", "ZOOKEEPER_VERSION", "ZOOKEEPER_PORT", "KAFKA_VERSION", "POSTGRES_VERSION",
        "DEBEZIUM_VERSION", "CONNECT_GROUP_ID", "CONNECT_CONFIG_TOPIC", "CONNECT_OFFSET_TOPIC",
        "CONNECT_STATUS_TOPIC",
    }
)  # fmt: skip
# CDC_* variables that are not settings: the test suite's switches and the sink's hand-over.
NOT_SETTINGS = frozenset(
    {"KEEP_E2E_STATE", "UPDATE_GOLDEN", "KILL_SEED", SETTINGS_ENV.removeprefix(ENV_PREFIX)}
)
# CDC_SECRET_* variables hold secrets for Kafka Connect's environment (connectors/model.py), not settings.
NOT_SETTINGS_PREFIX = "SECRET_"
_WARNED: set[str] = set()


def _unknown(typed: str, where: str, shown: str, style: str, remove: str) -> ConfigError:
    """``where: unknown setting KEY`` with the closest accepted name, or every accepted name. ``style``: how
    the names are written there: ``yaml`` (field names), ``dotenv`` (upper case) or ``environment``
    (upper case with the ``CDC_`` prefix)."""
    names = [*Settings.model_fields, *ALIASES]
    if style != "yaml":
        prefix = ENV_PREFIX if style == "environment" else ""
        names = [prefix + n.upper() for n in names]
    close = messages.closest(typed, names)
    hint = f"did you mean {close}? Otherwise {remove}" if close else f"{remove}; accepted: {', '.join(names)}"
    return ConfigError(f"{where}: unknown setting {shown}", hint)


def _dotenv_layer(path: Path) -> dict[str, tuple[Any, str]]:
    """A ``.env`` / ``.credentials`` file: every key a setting (or an alias), or one of the demo's
    docker-compose keys (ignored with a warning); anything else is an error naming the file and line."""
    layer: dict[str, tuple[Any, str]] = {}
    for key, (value, number) in _read_dotenv(path).items():
        name = _normalize(key)
        if name is not None:
            layer[name] = (value, f"{path}:{number} ({key})")
        elif key.strip().upper() in DEMO_ONLY_KEYS:
            if f"{path}:{key}" not in _WARNED:
                _WARNED.add(f"{path}:{key}")
                log.warning(
                    "warning: %s:%d: %s is a setting of the original demo's docker-compose, which this "
                    "product does not use; ignored (remove the line to silence this)",
                    path,
                    number,
                    key,
                )
        else:
            raise _unknown(key, f"{path}:{number}", key, "dotenv", "remove the line")
    return layer


def _layer_from_yaml(path: Path) -> dict[str, tuple[Any, str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})", "fix the file's syntax") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings", "write `key: value` lines")
    layer: dict[str, tuple[Any, str]] = {}
    for key, value in data.items():
        name = _normalize(str(key))
        if name is None:
            raise _unknown(str(key), str(path), repr(key), "yaml", "remove that key")
        layer[name] = (value, str(path))
    return layer


def _env_layer(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    """``CDC_*`` variables: each one a setting, or a known variable that is not one; else an error."""
    layer: dict[str, tuple[Any, str]] = {}
    for variable, value in environ.items():
        key = variable.removeprefix(ENV_PREFIX)
        if not variable.startswith(ENV_PREFIX) or key in NOT_SETTINGS or key.startswith(NOT_SETTINGS_PREFIX):
            continue
        name = _normalize(key)
        if name is None:
            raise _unknown(variable, "environment", variable, "environment", f"unset it (`unset {variable}`)")
        layer[name] = (value, f"environment ({variable})")
    return layer


def load_settings(
    project_dir: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Merge every layer, validate once, and raise one clear :class:`ConfigError` on a bad value."""
    base = project_dir or Path.cwd()
    layers: list[dict[str, tuple[Any, str]]] = []
    if (base / "cdc.yaml").is_file():
        layers.append(_layer_from_yaml(base / "cdc.yaml"))
    for name in (".env", ".credentials"):
        if (base / name).is_file():
            layers.append(_dotenv_layer(base / name))
    layers.append(_env_layer(os.environ if environ is None else environ))
    flags = {k: (v, "command line") for k, v in (overrides or {}).items() if v is not None}
    layers.append(flags)

    merged: dict[str, tuple[Any, str]] = {}
    for layer in layers:
        merged.update(layer)
    values = {k: v for k, (v, _) in merged.items()}
    for key in PATH_FIELDS:
        if key in values and values[key] is not None and not Path(str(values[key])).is_absolute():
            values[key] = base / str(values[key])
    values.setdefault("state_dir", base / ".cdc")
    if "tables" not in merged:
        merged.update(_tables_from_file(base, values.get("tables_file"), merged))
        values["tables"] = merged.get("tables", ({}, ""))[0]
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise config_error(exc, merged) from exc
    sources = {name: merged[name][1] if name in merged else "default" for name in Settings.model_fields}
    return LoadedSettings(settings=settings, sources=sources)


def _tables_from_file(
    base: Path, explicit: Any, merged: Mapping[str, tuple[Any, str]]
) -> dict[str, tuple[Any, str]]:
    """The table list from ``tables_file`` (when set) or the first candidate file that exists."""
    if explicit:
        candidates = [Path(str(explicit))]
    else:
        candidates = [base / name for name in TABLE_FILE_CANDIDATES if (base / name).is_file()][:1]
    if not candidates:
        return {}
    path = candidates[0]
    try:
        return {"tables": (read_table_file(path), str(path))}
    except ValueError as exc:
        origin = merged["tables_file"][1] if explicit else "default"
        raise ConfigError(
            f"invalid setting tables_file = {str(path)!r} from {origin}: {exc}",
            'write {"schema": ["table", ...]}, e.g. {"public": ["users", "orders"]}',
        ) from exc
