"""Facade behaviour that needs no running process: empty state dirs, the Kafka health check's fallbacks."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.stack import down, kafka, status


def test_status_and_down_of_an_unused_state_dir(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state")
    report = status(settings)
    assert [row.name for row in report] == ["postgres", "kafka", "connect", "sink"]
    assert {row.state for row in report} == {"STOPPED"}
    assert [row.name for row in down(settings)] == ["postgres", "kafka", "connect", "sink"]
    assert report[1].to_dict()["log_file"] == str((tmp_path / "state" / "logs" / "kafka.log").resolve())


class _KafkaError(RuntimeError):
    pass


def _fake_core(result: list[tuple[str, int]] | None) -> types.SimpleNamespace:
    def cluster_metadata(bootstrap_servers: str, timeout_ms: int) -> list[tuple[str, int]]:
        assert bootstrap_servers == "127.0.0.1:19092"
        if result is None:
            raise _KafkaError("no broker")
        return result

    return types.SimpleNamespace(cluster_metadata=cluster_metadata, KafkaError=_KafkaError)


@pytest.mark.parametrize(("result", "expected"), [([], True), ([("t", 1)], True), (None, False)])
def test_kafka_health_is_a_metadata_round_trip(
    monkeypatch: pytest.MonkeyPatch, result: list[tuple[str, int]] | None, expected: bool
) -> None:
    monkeypatch.setattr("importlib.import_module", lambda _: _fake_core(result))
    assert kafka.healthy(Settings()) is expected  # a fresh cluster has no topics yet: still healthy


def test_kafka_health_falls_back_to_tcp_without_the_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_: str) -> None:
        raise ImportError("not built")

    monkeypatch.setattr("importlib.import_module", missing)
    monkeypatch.setattr(kafka, "_tcp_accepts", lambda port, timeout_ms: port == 19092)
    assert kafka.healthy(Settings()) is True
