"""The one place that generates a Debezium connector's configuration from the typed settings.

The defaults are the ones DESIGN.md asks for, each chosen because Debezium's own default loses something:
``plugin.name`` defaults to decoderbufs (an extension Debian's cluster lacks), ``publication.autocreate.mode``
to ``all_tables`` (needs superuser; blocks UPDATE/DELETE on key-less tables), ``skipped.operations`` to
``t`` (truncates silently dropped), JsonConverter's ``replace.null.with.default`` to true (NULLs rewritten
as column defaults), and ``interval.handling.mode`` to numeric (the decoder expects ISO-8601 strings).
Every property can be overridden with the ``debezium`` setting; overrides win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cdc_pipeline.config import Settings
from cdc_pipeline.config_values import read_table_file, split_table
from cdc_pipeline.connectors.connect_client import POSTGRES_CONNECTOR_CLASS
from cdc_pipeline.errors import ConfigError


@dataclass(frozen=True)
class TableRef:
    schema: str
    table: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def pattern(self) -> str:
        """The table as Debezium's (anchored) regular expressions name it, e.g. in ``table.include.list``."""
        return f"{re.escape(self.schema)}.{re.escape(self.table)}"

    @property
    def sql(self) -> str:
        """The quoted SQL name, e.g. ``"public"."users"``."""
        return f"{_quote(self.schema)}.{_quote(self.table)}"

    @classmethod
    def parse(cls, qualified: str) -> TableRef:
        try:
            return cls(*split_table(qualified))
        except ValueError as exc:
            raise ConfigError(str(exc), "write it as schema.table") from exc


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_from_connector_json(path: Path) -> list[TableRef]:
    """Read the original demo's ``connector_config.json`` form: ``{"public": ["users", "orders"]}``."""
    try:
        listed = read_table_file(path)
    except ValueError as exc:
        raise ConfigError(str(exc), 'write {"schema": ["table", ...]}, e.g. {"public": ["users"]}') from exc
    return [TableRef(schema, table) for schema, tables in listed.items() for table in tables]


def pipeline_tables(settings: Settings) -> list[TableRef]:
    """The tables the settings list (``tables``, or the table file it was read from)."""
    return [TableRef(schema, table) for schema, tables in settings.tables.items() for table in tables]


def slot_name(settings: Settings) -> str:
    """A replication slot per connector: Postgres allows [a-z0-9_] only."""
    return "".join(c if c.isalnum() else "_" for c in f"cdc_{settings.connector_name}".lower())


def publication_name(settings: Settings) -> str:
    return f"{slot_name(settings)}_pub"


def signal_table(settings: Settings) -> TableRef:
    return TableRef.parse(settings.signal_table)


def connector_config(
    settings: Settings, tables: Sequence[TableRef] | None = None, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The connector JSON (all values strings, as Connect needs) for ``tables`` (default: the settings')."""
    tables = pipeline_tables(settings) if tables is None else list(tables)
    if not tables:
        raise ConfigError(
            "no tables to capture",
            'list them under `tables:` in cdc.yaml or in connector_config.json ({"public": ["users"]})',
        )
    config = {
        "connector.class": POSTGRES_CONNECTOR_CLASS,
        "tasks.max": "1",
        "database.hostname": "127.0.0.1",
        "database.port": str(settings.postgres_port),
        "database.user": settings.postgres_user,
        "database.password": settings.postgres_password.get_secret_value(),
        "database.dbname": settings.postgres_db,
        "topic.prefix": settings.topic_prefix,
        "plugin.name": "pgoutput",
        "slot.name": slot_name(settings),
        "publication.name": publication_name(settings),
        "publication.autocreate.mode": "filtered",
        "table.include.list": ",".join(t.pattern for t in tables),
        **_column_properties(settings),
        "signal.data.collection": signal_table(settings).qualified,
        "snapshot.mode": "initial",
        "heartbeat.interval.ms": "10000",
        "provide.transaction.metadata": "true",
        "skipped.operations": "none",
        "tombstones.on.delete": "true",
        # numerics as exact text, NaN/±Infinity included (precise mode sends NULL for them); the propagated
        # source type keeps numeric(p,s) a DECIMAL(p,s) in DuckDB (the core reads it, see type_map.cpp)
        "decimal.handling.mode": "string",
        "datatype.propagate.source.type": r"(.*\.)?_?(numeric|decimal|money|NUMERIC|DECIMAL|MONEY)",
        "time.precision.mode": "adaptive",
        "binary.handling.mode": "bytes",
        "interval.handling.mode": "string",
        "hstore.handling.mode": "json",
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "key.converter.schemas.enable": "true",
        "value.converter.schemas.enable": "true",
        "key.converter.replace.null.with.default": "false",
        "value.converter.replace.null.with.default": "false",
        "topic.creation.default.replication.factor": "1",
        "topic.creation.default.partitions": "1",
    }
    config.update(settings.debezium)
    config.update(overrides or {})
    return config


def _column_properties(settings: Settings) -> dict[str, str]:
    """``column.exclude.list`` and ``message.key.columns``, only when the settings name any."""
    properties = {}
    if settings.exclude_columns:
        patterns = (".".join(re.escape(p) for p in c.split(".", 2)) for c in settings.exclude_columns)
        properties["column.exclude.list"] = ",".join(patterns)
    if settings.key_columns:
        properties["message.key.columns"] = ";".join(
            f"{TableRef.parse(table).pattern}:{','.join(columns)}"
            for table, columns in settings.key_columns.items()
        )
    return properties


def included_patterns(config: Mapping[str, str]) -> set[str]:
    """The entries of a (generated or stored) config's ``table.include.list``."""
    return {p.strip() for p in config.get("table.include.list", "").split(",") if p.strip()}
