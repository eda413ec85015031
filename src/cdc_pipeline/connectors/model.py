"""The one place that generates a Debezium connector's configuration from the typed settings.

The defaults are the ones DESIGN.md asks for, each chosen because Debezium's own default loses something:
``plugin.name`` defaults to decoderbufs (an extension Debian's cluster lacks), ``publication.autocreate.mode``
to ``all_tables`` (needs superuser; blocks UPDATE/DELETE on key-less tables), ``skipped.operations`` to
``t`` (truncates silently dropped), JsonConverter's ``replace.null.with.default`` to true (NULLs rewritten
as column defaults), and ``interval.handling.mode`` to numeric (the decoder expects ISO-8601 strings).
``publication.autocreate.mode`` is ``disabled``: apply creates the publication itself
(:mod:`.publication`), because Debezium's ``filtered`` mode cannot publish a whole schema and writes a name
holding ``"`` unescaped. Every property can be overridden with the ``debezium`` setting; overrides win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cdc_pipeline import kafka_limits
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import (
    WHOLE_SCHEMA,
    read_table_file,
    render_name,
    render_table,
    split_column,
    split_table,
)
from cdc_pipeline.connectors.connect_client import POSTGRES_CONNECTOR_CLASS
from cdc_pipeline.errors import ConfigError


def regex_literal(name: str) -> str:
    """``name`` as a Java regex matching exactly it, fit for a comma-separated Debezium list: regex
    metacharacters escaped (Python's escapes are valid Java ones) and commas written ``\\,``."""
    return re.escape(name).replace(",", "\\,")


@dataclass(frozen=True)
class TableRef:
    """A source table, or (``table == "*"``) every table of a schema, now and later."""

    schema: str
    table: str

    @property
    def is_whole_schema(self) -> bool:
        return self.table == WHOLE_SCHEMA

    @property
    def qualified(self) -> str:
        """``schema.table`` as the sink names the table in ``_cdc.tables`` and `cdc tables` (plain)."""
        return f"{self.schema}.{self.table}"

    @property
    def text(self) -> str:
        """``schema.table`` as the config reads it back: a name holding ``.,;:"`` is quoted
        (``public."a.b"``); the form of ``key_columns`` keys and of preflight messages."""
        if self.is_whole_schema:
            return f"{render_name(self.schema)}.*"
        return render_table(self.schema, self.table)

    @property
    def pattern(self) -> str:
        """The table as Debezium's signals (``data-collections``, ``additional-conditions``) and
        ``message.key.columns`` name it: each name regex-escaped, joined by ``.``. A whole schema is
        ``schema\\..+``. Debezium matches it ignoring case, harmless where names differing only in case
        are refused anyway (preflight)."""
        if self.is_whole_schema:
            return f"{re.escape(self.schema)}\\..+"
        return f"{re.escape(self.schema)}.{re.escape(self.table)}"

    @property
    def include_pattern(self) -> str:
        """The table as ``table.include.list`` names it: :attr:`pattern` with commas escaped (``\\,``, the
        list is comma-separated) and ``(?-i)`` in front, as Debezium matches the list ignoring case and
        ``public.users`` must leave ``public.Users`` out. The one unescaped ``.`` separates schema and
        table (:func:`pattern_table` reads it back)."""
        return "(?-i)" + self.pattern.replace(",", "\\,")

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


def column_key(table: TableRef, column: str) -> str:
    """``schema.table.column`` as ``exclude_columns`` stores it (names quoted where needed)."""
    return f"{table.text}.{render_name(column)}"


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


SECRET_ENV_PREFIX = "CDC_SECRET_"
POSTGRES_PASSWORD_ENV = f"{SECRET_ENV_PREFIX}POSTGRES_PASSWORD"


def secret_reference(variable: str) -> str:
    """A Kafka Connect config-provider reference: the worker puts the value of its environment variable
    ``variable`` in place when a task starts (stack/connect.py sets that up), so the connector config that
    Connect stores and serves never holds the secret."""
    return f"${{env:{variable}}}"


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
        "database.password": secret_reference(POSTGRES_PASSWORD_ENV),
        "database.dbname": settings.postgres_db,
        "topic.prefix": settings.topic_prefix,
        "plugin.name": "pgoutput",
        "slot.name": slot_name(settings),
        "publication.name": publication_name(settings),
        "publication.autocreate.mode": "disabled",  # apply creates it (connectors/publication.py)
        "table.include.list": ",".join(t.include_pattern for t in tables),
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
        **kafka_limits.connector_throughput_properties(settings),
    }
    config.update(settings.debezium)
    config.update(overrides or {})
    return config


def _column_properties(settings: Settings) -> dict[str, str]:
    """``column.exclude.list`` and ``message.key.columns``, only when the settings name any."""
    properties = {}
    if settings.exclude_columns:
        patterns = ("\\.".join(regex_literal(p) for p in split_column(c)) for c in settings.exclude_columns)
        properties["column.exclude.list"] = ",".join(patterns)
    if settings.key_columns:
        for table, columns in settings.key_columns.items():
            odd = [n for n in [*split_table(table), *columns] if re.search(r"[\s:;,]", n)]
            if odd:
                raise ConfigError(
                    f"key_columns for {table}: Debezium's message.key.columns cannot name {odd[0]!r} "
                    "(it holds a space, ':', ';' or ',')",
                    f"give the table a primary key instead and remove {table} from key_columns",
                )
        properties["message.key.columns"] = ";".join(
            f"{TableRef.parse(table).pattern}:{','.join(columns)}"
            for table, columns in settings.key_columns.items()
        )
    return properties


def included_patterns(config: Mapping[str, str]) -> set[str]:
    """The entries of a (generated or stored) config's ``table.include.list`` (``\\,`` does not split)."""
    entries = re.split(r"(?<!\\),", config.get("table.include.list", ""))
    return {p.strip() for p in entries if p.strip()}


def pattern_table(pattern: str) -> TableRef | None:
    """The table (or whole schema) an entry of ``table.include.list`` as :attr:`TableRef.include_pattern`
    (or an earlier version, :attr:`TableRef.pattern`) writes it names; None otherwise."""
    if pattern.endswith("\\..+"):
        whole = pattern_table(pattern.removesuffix("\\..+") + ".x")
        return TableRef(whole.schema, WHOLE_SCHEMA) if whole is not None else None
    parts: list[str] = []
    current, chars = "", iter(pattern.removeprefix("(?-i)").replace("\\,", ","))
    for char in chars:
        if char == "\\":
            current += next(chars, "")
        elif char == ".":
            parts, current = [*parts, current], ""
        else:
            current += char
    parts.append(current)
    if len(parts) != 2:
        return None
    table = TableRef(*parts)
    return table if pattern in (table.include_pattern, table.pattern) else None


def added_tables(tables: Sequence[TableRef], stored: Mapping[str, str] | None) -> list[TableRef]:
    """The tables a stored connector config does not capture yet (none when there is no connector)."""
    if stored is None:
        return []
    included = included_patterns(stored)
    return [t for t in tables if t.include_pattern not in included and t.pattern not in included]
