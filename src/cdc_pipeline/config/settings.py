"""The typed settings model: every setting, its default, its accepted form and its meaning, in one place.

How the layers (cdc.yaml, .env, .credentials, CDC_* environment, flags) are read and merged is
:mod:`cdc_pipeline.config.loading`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from cdc_pipeline.config import messages
from cdc_pipeline.config import values as config_values
from cdc_pipeline.errors import ConfigError
from cdc_pipeline.sink.policy import OnError, parse_on_error

ENV_PREFIX = "CDC_"
SETTINGS_ENV = "CDC_PIPELINE_SETTINGS_JSON"  # the whole settings object, for a process we start (the sink)
ALIASES = {"kafka_connect_port": "connect_port", "kafka_external_port": "kafka_port"}
SECRET_FIELDS = frozenset({"postgres_password"})
PATH_FIELDS = ("state_dir", "duckdb_path", "runtime_cache", "tables_file")
TABLE_FILE_CANDIDATES = (
    "connector_config.json",
    "connectors/connector_config.json",
    "examples/connector_config.json",
)


def _default_cache() -> Path:
    """~/.cache/cdc_pipeline; as root /var/cache/cdc_pipeline, which the unprivileged user that runs Kafka
    and Connect can read (root's home is private)."""
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "cdc_pipeline"
    if os.geteuid() == 0:
        return Path("/var/cache/cdc_pipeline")
    return Path.home() / ".cache" / "cdc_pipeline"


class Settings(BaseModel):
    """Everything the local stack and the pipeline need, with defaults that work on one machine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state_dir: Path = Field(Path(".cdc"), description="where the stack keeps data, logs and pid files")
    runtime_cache: Path = Field(default_factory=_default_cache, description="cache of Maven Central jars")
    postgres_port: int = Field(15432, ge=1, le=65535, description="PostgreSQL port on 127.0.0.1")
    postgres_user: str = Field("cdc", min_length=1, description="database user (superuser of our cluster)")
    postgres_password: SecretStr = Field(SecretStr("cdc"), description="password of postgres_user")
    postgres_db: str = Field("app", min_length=1, description="database to capture")
    postgres_os_user: str = Field("cdc", min_length=1, description="OS user that runs PostgreSQL as root")
    kafka_port: int = Field(19092, ge=1, le=65535, description="Kafka broker port on 127.0.0.1")
    kafka_controller_port: int = Field(19093, ge=1, le=65535, description="KRaft controller port")
    connect_port: int = Field(18083, ge=1, le=65535, description="Kafka Connect REST port on 127.0.0.1")
    kafka_heap: str = Field("512m", pattern=r"^\d+[mg]$", description="JVM heap of the broker")
    connect_heap: str = Field("1g", pattern=r"^\d+[mg]$", description="JVM heap of Kafka Connect")
    topic_prefix: str = Field("dbserver1", pattern=r"^[A-Za-z0-9_.-]+$", description="Debezium topic.prefix")
    connector_name: str = Field(
        "cdc_db_connector", pattern=r"^[A-Za-z0-9_.-]+$", description="Kafka Connect connector name"
    )
    tables: dict[str, list[str]] = Field(
        default_factory=dict,
        description="tables to capture: a mapping of schema to table names, or schema.table,... "
        "(default: read from tables_file)",
    )
    tables_file: Path | None = Field(
        None,
        description='table list in the original form {"public": ["users"]} (default: the first of '
        "connector_config.json, connectors/connector_config.json, examples/connector_config.json)",
    )
    exclude_columns: list[str] = Field(
        default_factory=list, description="columns never captured: schema.table.column,..."
    )
    key_columns: dict[str, list[str]] = Field(
        default_factory=dict,
        description="key of a table without a primary key: a mapping of schema.table to column names, "
        "or schema.table:col1,col2;...",
    )
    signal_table: str = Field(
        "public.debezium_signal",
        pattern=r"^[^.\s]+\.[^.\s]+$",
        description="schema.table Debezium reads signals from (apply creates it; snapshots added tables)",
    )
    debezium: dict[str, str] = Field(
        default_factory=dict,
        description='Debezium properties that override the generated ones, e.g. {"snapshot.mode": "no_data"}',
    )
    max_row_bytes: int = Field(
        64 << 20,
        ge=1 << 20,
        le=512 << 20,
        description="largest row that replicates, in bytes of its values (text or bytea: Kafka's limits "
        "allow for bytea's base64, x4/3; an update under REPLICA IDENTITY FULL carries the row twice); "
        "broker, topics, Connect's producer and the sink's consumer are all sized from it (with a quarter "
        "of headroom)",
    )
    duckdb_path: Path | None = Field(
        None, description="DuckDB file (default: <state_dir>/cdc_pipeline.duckdb)"
    )
    startup_timeout_s: float = Field(120.0, gt=0, description="deadline for each component to become healthy")
    sink_max_events: int = Field(100_000, ge=1, description="most change events in one DuckDB transaction")
    sink_max_bytes: int = Field(64 << 20, ge=1024, description="most Kafka bytes in one DuckDB transaction")
    sink_max_wait_ms: int = Field(
        500, ge=1, le=60_000, description="longest a batch waits for more events once it has some"
    )
    sink_read_ahead: bool = Field(
        True,
        description="decode the next batch while DuckDB applies this one (uses a second core; holds one more "
        "batch in memory)",
    )
    sink_on_error: OnError = Field(
        "stop-table",
        description="a table's change cannot be applied: stop-table (only it stops, the others flow), "
        "dead-letter (bad records go to the dead-letter topic), stop-sink (alias stop: the whole sink stops)",
    )
    sink_dead_letter_topic: str = Field(
        "",
        pattern=r"^[A-Za-z0-9_.-]*$",
        description="dead-letter topic [default: __cdc-dead-letter.<topic_prefix>]",
    )
    sink_kafka_retry_s: float = Field(
        120.0,
        ge=0,
        description="how long the sink retries Kafka trouble (a broker restart) with backoff before it stops",
    )
    sink_duckdb_retry_s: float = Field(
        60.0,
        ge=0,
        description="how long the sink retries a DuckDB file it cannot write (disk full, I/O error) "
        "before it stops",
    )
    sink_retry_base_s: float = Field(
        0.5, gt=0, description="first backoff step of a retry (full jitter: a random wait up to the step)"
    )
    sink_retry_max_s: float = Field(10.0, gt=0, description="largest backoff step of a retry")
    sink_group_id: str = Field("cdc-sink", min_length=1, description="Kafka group id for advisory commits")
    sink_topic_refresh_ms: int = Field(2000, ge=100, description="how often the sink looks for new tables")
    sink_table_check_s: float = Field(
        30.0,
        gt=0,
        description="how often the sink asks PostgreSQL whether a captured table was renamed or got a "
        "column of a refused type",
    )
    sink_http_port: int = Field(
        18090, ge=0, le=65535, description="port of the sink's query/metrics/status endpoint (0: off)"
    )
    sink_http_host: str = Field(
        "127.0.0.1",
        min_length=1,
        description="address the sink's endpoint listens on; anything but loopback exposes it beyond this "
        "machine (every request but /health still needs the token in <state_dir>/sink.token)",
    )
    sink_query_timeout_s: float = Field(
        300.0, gt=0, description="longest one `cdc query` / `cdc verify` statement may run in the sink"
    )
    sink_query_max_rows: int = Field(
        1_000_000, gt=0, description="most rows one query through the sink's endpoint may return"
    )
    sink_query_max_bytes: int = Field(
        256 << 20, gt=0, description="most bytes (as Arrow) one query's result may hold in the sink's memory"
    )
    sink_memory_limit: str = Field(
        "4GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="DuckDB memory_limit of the sink process, shared by applying batches and by every query "
        "(beyond it DuckDB spills to <duckdb_path>.tmp or fails the query; locked, a query cannot raise it)",
    )
    connector_stall_s: float = Field(
        60.0,
        gt=0,
        description="seconds a RUNNING connector's slot may have no Debezium walsender, or leave committed "
        "changes of its tables unconfirmed, before `cdc status` shows it STALLED",
    )

    @field_validator("tables", mode="before")
    @classmethod
    def _tables(cls, value: Any) -> dict[str, list[str]]:
        return config_values.parse_tables(value)

    @field_validator("exclude_columns", mode="before")
    @classmethod
    def _exclude_columns(cls, value: Any) -> list[str]:
        return config_values.parse_columns(value)

    @field_validator("key_columns", mode="before")
    @classmethod
    def _key_columns(cls, value: Any) -> dict[str, list[str]]:
        return config_values.parse_key_columns(value)

    @field_validator("sink_on_error", mode="before")
    @classmethod
    def _sink_on_error(cls, value: Any) -> OnError:
        return parse_on_error(value)

    @field_validator("debezium", mode="before")
    @classmethod
    def _debezium(cls, value: Any) -> dict[str, str]:
        return config_values.parse_properties(value)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def connect_url(self) -> str:
        return f"http://127.0.0.1:{self.connect_port}"

    @property
    def dead_letter_topic(self) -> str:
        return self.sink_dead_letter_topic or f"__cdc-dead-letter.{self.topic_prefix}"

    @property
    def duckdb_file(self) -> Path:
        return self.duckdb_path if self.duckdb_path is not None else self.state_dir / "cdc_pipeline.duckdb"

    @property
    def signal_topic(self) -> str:
        """The topic Debezium writes the signal table's rows to; the sink must ignore it."""
        return f"{self.topic_prefix}.{self.signal_table}"


def settings_to_json(settings: Settings) -> str:
    """Every setting, secrets included, as JSON :func:`settings_from_json` reads back exactly: how a process
    this one starts (the detached sink) gets the whole settings object, not a hand-kept list of fields. Hand
    it over only through the environment, never a file or a command line."""
    data = settings.model_dump(mode="json")
    for name in SECRET_FIELDS:
        data[name] = getattr(settings, name).get_secret_value()
    data["duckdb_path"] = str(settings.duckdb_file)
    return json.dumps(data)


def settings_from_json(text: str) -> Settings:
    try:
        return Settings.model_validate_json(text)
    except ValidationError as exc:
        raise config_error(exc, {}) from exc


def config_error(exc: ValidationError, merged: Mapping[str, tuple[Any, str]]) -> ConfigError:
    """``invalid setting KEY = VALUE from SOURCE: REASON. accepted: FORM (WHAT IT IS FOR)``."""
    first = exc.errors()[0]
    key = str(first["loc"][0]) if first["loc"] else "?"
    origin = merged.get(key, (None, "default"))[1]
    shown = "***" if key in SECRET_FIELDS else messages.short(merged.get(key, (None, ""))[0])
    reason = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "string_pattern_mismatch":
        reason = "not in the accepted form"
    info = Settings.model_fields.get(key)
    return ConfigError(
        f"invalid setting {key} = {shown} from {origin}: {reason}",
        f"accepted: {messages.accepted(info)}" if info is not None else "remove it",
    )
