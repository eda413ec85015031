"""One KRaft node (broker and controller in one JVM) from the cached jars, bound to 127.0.0.1 only.

The quorum is static (``controller.quorum.voters``), which needs no format flags and works on 3.9 and 4.x.
The cluster id is generated once and kept in ``<state_dir>/kafka/cluster.id``; storage is formatted once, so
topics and offsets survive ``cdc down`` + ``cdc up``.
"""

from __future__ import annotations

import base64
import importlib
import os
import socket
import subprocess
from pathlib import Path

from cdc_pipeline import kafka_limits
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import StackError
from cdc_pipeline.stack.component import PortSetting, check_ports_free, spawn_healthy
from cdc_pipeline.stack.jvm import java_command, properties_text, write_log_config
from cdc_pipeline.stack.os_user import check_readable, os_user
from cdc_pipeline.stack.process import Processes
from cdc_pipeline.stack.runtime import RuntimePaths

NAME = "kafka"


def kafka_dir(settings: Settings) -> Path:
    return settings.state_dir.resolve() / "kafka"


def port(settings: Settings) -> PortSetting:
    return PortSetting(settings.kafka_port, "kafka_port")


def ports(settings: Settings) -> list[PortSetting]:
    return [port(settings), PortSetting(settings.kafka_controller_port, "kafka_controller_port")]


def server_properties(settings: Settings, data_dir: Path) -> dict[str, str]:
    """A combined broker+controller with replication factor 1 everywhere (one node cannot do more)."""
    broker = f"127.0.0.1:{settings.kafka_port}"
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{settings.kafka_controller_port}",
        "listeners": f"PLAINTEXT://{broker},CONTROLLER://127.0.0.1:{settings.kafka_controller_port}",
        "advertised.listeners": f"PLAINTEXT://{broker}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "true",
        **kafka_limits.broker_properties(settings),
    }


def new_cluster_id() -> str:
    """A random Kafka ``Uuid`` in its base64url form (22 chars), like ``StorageTool random-uuid``.

    Kafka rejects ids starting with '-' on the command line, so, as ``Uuid.randomUuid`` does, draw again.
    """
    while True:
        text = base64.urlsafe_b64encode(os.urandom(16)).decode("ascii").rstrip("=")
        if not text.startswith("-"):
            return text


def cluster_id(settings: Settings) -> str:
    path = kafka_dir(settings) / "cluster.id"
    if not path.is_file():
        path.write_text(new_cluster_id() + "\n", encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def healthy(settings: Settings, timeout_ms: int = 2000) -> bool:
    """A metadata round trip through the C++ core's Kafka client: the broker answers as a broker."""
    try:  # lazily: the stack must work (and be testable) before the extension is built
        _core = importlib.import_module("cdc_pipeline._core")
    except ImportError:
        return _tcp_accepts(settings.kafka_port, timeout_ms)  # until the extension is built
    try:
        _core.cluster_metadata(settings.bootstrap_servers, timeout_ms)  # a fresh cluster has no topics: []
    except _core.KafkaError:
        return False
    return True


def _tcp_accepts(port_number: int, timeout_ms: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port_number), timeout=timeout_ms / 1000):
            return True
    except OSError:
        return False


def start(settings: Settings, runtime: RuntimePaths, procs: Processes) -> float:
    """Write config, format storage on first use, start the broker, await metadata; return seconds taken."""
    check_ports_free(NAME, ports(settings))
    conf = kafka_dir(settings)
    data_dir = conf / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    (conf / "server.properties").write_text(properties_text(server_properties(settings, data_dir)), "utf-8")
    log_flags = write_log_config(runtime, conf)
    _format_once(settings, runtime, procs, log_flags)
    main = ["kafka.Kafka", str(conf / "server.properties")]
    argv = java_command(
        runtime,
        heap=settings.kafka_heap,
        token=procs.token,
        log_flags=log_flags,
        logs_dir=procs.log_dir,
        main=main,
    )
    user = os_user(settings)
    check_readable([runtime.lib_dir], user, NAME)
    return spawn_healthy(
        procs,
        NAME,
        argv,
        conf,
        user,
        healthy=lambda: healthy(settings),
        timeout_s=settings.startup_timeout_s,
        port=port(settings),
    )


def _format_once(settings: Settings, runtime: RuntimePaths, procs: Processes, log_flags: list[str]) -> None:
    conf = kafka_dir(settings)
    if (conf / "data" / "meta.properties").is_file():
        return
    main = [
        "kafka.tools.StorageTool",
        "format",
        "-t",
        cluster_id(settings),
        "-c",
        str(conf / "server.properties"),
    ]
    argv = java_command(
        runtime, heap="256m", token=procs.token, log_flags=log_flags, logs_dir=procs.log_dir, main=main
    )
    log_file = procs.open_log(NAME)
    with log_file.open("ab") as log:
        result = subprocess.run(
            argv, cwd=conf, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        raise StackError(
            f"kafka: formatting storage in {conf / 'data'} failed (exit {result.returncode}); log {log_file}",
            f"see {log_file}",
        )


def stop(procs: Processes, timeout_s: float = 60.0) -> bool:
    """SIGTERM lets the broker shut down cleanly (no log recovery on next start)."""
    return procs.stop(NAME, timeout_s)
