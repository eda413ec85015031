"""The Python face of the core's source: conversion to TableBatch/Batch, settings wiring, validation.

No Kafka: batches come from ``batches_from_records`` (the same C++ path as ``Source.next_batch``), and a
``Source`` is only created and closed (creating the Kafka clients needs no broker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cdc_pipeline import _core
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.source import BadRecord, Batch, Source, _positions, batches_from_records

ENVELOPES = Path(__file__).resolve().parents[2] / "core" / "tests" / "data" / "envelopes"
TOPIC = "dbserver1.public.all_types"


def record(offset: int, name: str | None) -> tuple[str, int, int, bytes | None, bytes | None]:
    key = (ENVELOPES / "all_types_key.json").read_bytes()
    value = None if name is None else (ENVELOPES / f"{name}.json").read_bytes()
    return (TOPIC, 0, offset, key, value)


def test_batches_convert_to_table_changes() -> None:
    (batch,) = batches_from_records([record(0, "all_types_create"), record(1, "all_types_update_toast")])
    assert isinstance(batch, Batch)
    assert batch.events == 2
    assert batch.offsets == [(TOPIC, 0, 2)]
    assert batch.error is None
    (changes,) = batch.tables
    assert isinstance(changes, TableBatch)
    assert (changes.topic, changes.source_schema, changes.source_table) == (TOPIC, "public", "all_types")
    assert changes.columns[0] == Column("id", "INTEGER", nullable=False, default_sql="0", key=True)
    assert changes.key_columns == ["id"]
    assert changes.unavailable == []  # the placeholders took the create's values
    assert changes.counts == {"c": 1, "u": 1, "d": 0, "r": 0, "t": 0, "dup": 0, "unapplied": 0}
    assert changes.upserts is not None and changes.deletes is None
    assert changes.last_source_ts_ms is not None


def test_tombstones_count_as_consumed() -> None:
    (batch,) = batches_from_records(
        [record(0, "all_types_create"), record(1, "all_types_delete"), record(2, None)]
    )
    assert batch.events == 3
    assert batch.offsets == [(TOPIC, 0, 3)]


def test_a_bad_record_becomes_a_bad_record_value() -> None:
    broken = (TOPIC, 0, 7, None, b'{"schema": {}, "payload": 42}')
    batches = batches_from_records([record(6, "all_types_create"), broken])
    error = batches[-1].error
    assert isinstance(error, BadRecord)
    assert (error.topic, error.partition, error.offset) == (TOPIC, 0, 7)
    assert error.reason
    assert error.describe().startswith(f"topic {TOPIC!r} partition 0 offset 7")
    assert batches[0].offsets == [(TOPIC, 0, 7)]  # everything before it is consumed, the bad one is not


def test_committed_offsets_accept_both_shapes() -> None:
    assert _positions({("t", 0): 5}) == [("t", 0, 5)]
    assert _positions([("t", 1, 9)]) == [("t", 1, 9)]


def test_source_is_created_from_settings_without_a_broker() -> None:
    settings = Settings(sink_on_error="dead-letter", kafka_port=1)
    with Source.from_settings(settings) as source:
        assert source.max_events == settings.sink_max_events
        assert source.assignment() == []


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="sink_on_error"):
        Settings(sink_on_error="ignore")
    with pytest.raises(_core.KafkaError, match="would be read back"):
        Source.from_settings(
            Settings(
                kafka_port=1, sink_on_error="dead-letter", sink_dead_letter_topic="dbserver1.public.dead"
            )
        )
    with pytest.raises(_core.KafkaError, match=r"no\.such\.setting"):
        Source(**{**source_args(), "kafka_config": {"no.such.setting": "1"}})


def source_args() -> dict[str, Any]:
    """Every argument Source takes from the settings (it has no defaults of its own)."""
    s = Settings(kafka_port=1)
    return {
        "bootstrap_servers": s.bootstrap_servers,
        "topic_prefix": s.topic_prefix,
        "group_id": s.sink_group_id,
        "on_error": s.sink_on_error,
        "topic_refresh_ms": s.sink_topic_refresh_ms,
        "max_events": s.sink_max_events,
        "max_bytes": s.sink_max_bytes,
        "max_wait_ms": s.sink_max_wait_ms,
    }


def test_next_batch_before_start_is_an_error() -> None:
    source = Source(**source_args())
    with pytest.raises(_core.KafkaError, match="before start"):
        source.next_batch()
    source.close()
