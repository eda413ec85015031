"""Generated configuration text of the local stack: Kafka, Connect, PostgreSQL, logging."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.stack import connect, kafka, postgres
from cdc_pipeline.stack.component import PortSetting
from cdc_pipeline.stack.jvm import java_command, log4j1_properties, log4j2_properties, properties_text
from cdc_pipeline.stack.os_user import can_traverse
from cdc_pipeline.stack.runtime import RuntimePaths

SETTINGS = Settings(
    state_dir=Path("/srv/cdc"), kafka_port=29092, kafka_controller_port=29093, connect_port=28083
)


def test_kafka_server_properties_bind_loopback_with_a_static_quorum() -> None:
    props = kafka.server_properties(SETTINGS, Path("/srv/cdc/kafka/data"))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:29092"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:29093"
    assert props["log.dirs"] == "/srv/cdc/kafka/data"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    factors = [v for k, v in props.items() if k.endswith("replication.factor")]
    assert factors and set(factors) == {"1"}


def test_new_cluster_id_is_a_kafka_uuid() -> None:
    for _ in range(200):
        text = kafka.new_cluster_id()
        assert len(text) == 22 and not text.startswith("-")
        assert len(base64.urlsafe_b64decode(text + "==")) == 16


def test_connect_worker_properties() -> None:
    props = connect.worker_properties(SETTINGS, Path("/cache/plugins"), "service_load")
    assert props["bootstrap.servers"] == "127.0.0.1:29092"
    assert props["listeners"] == "http://127.0.0.1:28083"
    assert props["plugin.path"] == "/cache/plugins"
    assert props["plugin.discovery"] == "service_load"
    assert props["offset.flush.interval.ms"] == "1000"
    assert props["group.id"] == "cdc-connect"
    for side in ("key", "value"):
        assert props[f"{side}.converter"] == "org.apache.kafka.connect.json.JsonConverter"
        assert props[f"{side}.converter.schemas.enable"] == "true"
        assert props[f"{side}.converter.replace.null.with.default"] == "false"
    for kind in ("config", "offset", "status"):
        assert props[f"{kind}.storage.replication.factor"] == "1"
    assert len({props[f"{k}.storage.topic"] for k in ("config", "offset", "status")}) == 3


def test_properties_text_keeps_order() -> None:
    assert properties_text({"b": "1", "a": "x=y"}) == "b=1\na=x=y\n"


def test_postgres_conf_is_tcp_loopback_with_logical_decoding() -> None:
    text = postgres.server_conf(Settings(postgres_port=25432), "cdc-stack-abc")
    assert "listen_addresses = '127.0.0.1'" in text
    assert "port = 25432" in text
    assert "unix_socket_directories = ''" in text
    assert "wal_level = logical" in text
    assert "max_replication_slots = 40" in text and "max_wal_senders = 40" in text


def test_pg_hba_allows_only_scram_over_loopback() -> None:
    rules = [line.split() for line in postgres.hba_conf().splitlines() if not line.startswith("#")]
    assert rules == [
        ["host", "all", "all", "127.0.0.1/32", "scram-sha-256"],
        ["host", "replication", "all", "127.0.0.1/32", "scram-sha-256"],
    ]


@pytest.mark.parametrize(
    ("mode", "owner", "group", "uid", "expected"),
    [
        (0o700, 0, 0, 999, False),  # root's private dir
        (0o701, 0, 0, 999, True),
        (0o710, 0, 999, 999, True),  # via group
        (0o700, 999, 999, 999, True),  # own dir
        (0o600, 999, 999, 999, False),
        (0o000, 5, 5, 0, True),  # root enters anything
    ],
)
def test_can_traverse(mode: int, owner: int, group: int, uid: int, expected: bool) -> None:
    assert can_traverse(stat.S_IFDIR | mode, owner, group, uid, {uid}) is expected


def test_port_message_names_the_setting_and_its_env_names() -> None:
    text = PortSetting(19092, "kafka_port").describe()
    assert text.startswith("port 19092 (kafka_port, env CDC_KAFKA_PORT or KAFKA_PORT")
    assert "KAFKA_EXTERNAL_PORT" in text  # the original demo's .env name is accepted too


def test_log_configs_log_to_stdout() -> None:
    assert "appender.out.type = Console" in log4j2_properties()
    assert "logger.l0.name = kafka" in log4j2_properties()
    assert "log4j.appender.stdout=org.apache.log4j.ConsoleAppender" in log4j1_properties()


def test_java_command_carries_token_heap_and_classpath() -> None:
    runtime = RuntimePaths(Path("/c/lib"), Path("/c/plugins"), "4.3.1")
    argv = java_command(
        runtime, heap="2g", token="cdc-stack-1", log_flags=["-Dx=1"], logs_dir=Path("/l"), main=["Main", "a"]
    )
    assert argv[0] == "java" and argv[-2:] == ["Main", "a"]
    assert "-Xmx2g" in argv and "-Xms256m" in argv
    assert "-Dcdc.stack=cdc-stack-1" in argv and "-Dx=1" in argv
    assert argv[argv.index("-cp") + 1] == "/c/lib/*"
