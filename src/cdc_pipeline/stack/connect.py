"""A Kafka Connect distributed worker with the Debezium Postgres plugin isolated under ``plugin.path``.

Healthy means the REST API answers AND lists the Debezium connector class: a worker that started but could not
load the plugin is of no use to ``cdc connectors apply``.
"""

from __future__ import annotations

import os
from pathlib import Path

from cdc_pipeline import kafka_limits
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.connect_client import POSTGRES_CONNECTOR_CLASS, ConnectClient
from cdc_pipeline.connectors.model import POSTGRES_PASSWORD_ENV, SECRET_ENV_PREFIX
from cdc_pipeline.errors import CdcError
from cdc_pipeline.stack.component import PortSetting, check_ports_free, spawn_healthy
from cdc_pipeline.stack.jvm import java_command, properties_text, write_log_config
from cdc_pipeline.stack.os_user import check_readable, os_user
from cdc_pipeline.stack.process import Processes
from cdc_pipeline.stack.runtime import RuntimePaths

NAME = "connect"
GROUP_ID = "cdc-connect"
# service_load reads META-INF/services only (Debezium registers every plugin there, enforced by its build), so
# it skips scanning every jar. If a future plugin is missing from the list, "hybrid_warn" scans and says why.
DEFAULT_PLUGIN_DISCOVERY = "service_load"
STORAGE_TOPICS = {
    "config": f"{GROUP_ID}-configs",
    "offset": f"{GROUP_ID}-offsets",
    "status": f"{GROUP_ID}-status",
}


def connect_dir(settings: Settings) -> Path:
    return settings.state_dir.resolve() / "connect"


def port(settings: Settings) -> PortSetting:
    return PortSetting(settings.connect_port, "connect_port")


def worker_properties(settings: Settings, plugin_dir: Path, discovery: str) -> dict[str, str]:
    """The worker config: REST on 127.0.0.1 only, schema'd JSON that keeps NULLs, RF 1 internal topics."""
    values = {
        "bootstrap.servers": settings.bootstrap_servers,
        "group.id": GROUP_ID,
        "listeners": f"http://127.0.0.1:{settings.connect_port}",
        "rest.advertised.host.name": "127.0.0.1",
        "rest.advertised.port": str(settings.connect_port),
        "plugin.path": str(plugin_dir),
        "plugin.discovery": discovery,
    }
    for side in ("key", "value"):
        values[f"{side}.converter"] = "org.apache.kafka.connect.json.JsonConverter"
        values[f"{side}.converter.schemas.enable"] = "true"
        # default true would turn a NULL into the column's default value in the envelope
        values[f"{side}.converter.replace.null.with.default"] = "false"
    for kind, topic in STORAGE_TOPICS.items():
        values[f"{kind}.storage.topic"] = topic
        values[f"{kind}.storage.replication.factor"] = "1"
    values["offset.storage.partitions"] = "1"
    values["status.storage.partitions"] = "1"
    values["offset.flush.interval.ms"] = "1000"  # fewer replayed events after a worker crash
    values.update(secret_provider_properties())
    values.update(kafka_limits.connect_producer_properties(settings))  # rows up to max_row_bytes
    return values


def secret_provider_properties() -> dict[str, str]:
    """Connectors name secrets as ``${env:CDC_SECRET_...}``: Connect resolves them from its own environment
    when a task starts, so the config topic, the REST API and every file hold the reference, never the value.
    Only variables with the secret prefix can be read that way."""
    return {
        "config.providers": "env",
        "config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        "config.providers.env.param.allowlist.pattern": f"^{SECRET_ENV_PREFIX}[A-Z0-9_]+$",
    }


def secret_environment(settings: Settings) -> dict[str, str]:
    """The worker's environment: ours plus the secrets connectors reference (see :func:`secret_reference`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_ENV_PREFIX)}
    env[POSTGRES_PASSWORD_ENV] = settings.postgres_password.get_secret_value()
    return env


def healthy(settings: Settings) -> bool:
    with ConnectClient(settings.connect_url, timeout_s=3.0, retry_for_s=0.0) as client:
        if not client.is_up():
            return False
        try:
            return POSTGRES_CONNECTOR_CLASS in client.plugin_classes()
        except CdcError:
            return False


def worker_config_current(settings: Settings) -> bool:
    """Whether the running worker's config file holds what this version writes (plugin path aside)."""
    path = connect_dir(settings) / "connect-distributed.properties"
    try:
        written = path.read_text("utf-8")
    except OSError:
        return True  # nothing to compare with: leave the worker alone
    wanted = worker_properties(settings, Path("/"), DEFAULT_PLUGIN_DISCOVERY)
    return all(f"{key}={value}" in written for key, value in secret_provider_properties().items()) and all(
        key in written for key in wanted
    )


def start(
    settings: Settings, runtime: RuntimePaths, procs: Processes, discovery: str = DEFAULT_PLUGIN_DISCOVERY
) -> float:
    """Write the worker config, start the worker, wait until it lists Debezium; return seconds taken."""
    check_ports_free(NAME, [port(settings)])
    conf = connect_dir(settings)
    conf.mkdir(parents=True, exist_ok=True)
    properties = conf / "connect-distributed.properties"
    values = worker_properties(settings, runtime.plugin_dir, discovery)
    properties.write_text(properties_text(values), "utf-8")
    log_flags = write_log_config(runtime, conf)
    main = ["org.apache.kafka.connect.cli.ConnectDistributed", str(properties)]
    argv = java_command(
        runtime,
        heap=settings.connect_heap,
        token=procs.token,
        log_flags=log_flags,
        logs_dir=procs.log_dir,
        main=main,
    )
    user = os_user(settings)
    check_readable([runtime.lib_dir, runtime.plugin_dir], user, NAME)
    return spawn_healthy(
        procs,
        NAME,
        argv,
        conf,
        user,
        healthy=lambda: healthy(settings),
        timeout_s=settings.startup_timeout_s,
        port=port(settings),
        env=secret_environment(settings),
    )


def stop(procs: Processes, timeout_s: float = 60.0) -> bool:
    """SIGTERM makes the worker leave its group and flush source offsets before it exits."""
    return procs.stop(NAME, timeout_s)
