"""The benchmark's event generator: same shape as the real connector's events, decodable by the core, and
a known final state.

The reference is ``bench/fixtures/debezium_3.7_bench_tables.json``: events captured from Debezium 3.7 on
the real stack for the four bench tables (insert, update, delete, tombstone each);
``tests/e2e/test_bench_smoke.py`` captures them afresh and compares again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdc_bench import conformance, rows
from cdc_bench.envelope import TableCodec, compact
from cdc_bench.latency import latencies
from cdc_bench.tables import TABLES, TableSpec
from cdc_bench.workload import Workload
from cdc_pipeline.sink.source import batches_from_records

CAPTURED = Path(__file__).resolve().parents[2] / "bench" / "fixtures" / "debezium_3.7_bench_tables.json"
CAPTURED_PREFIX = "benchcap"


def captured() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(CAPTURED.read_text("utf-8"))
    return data


def generated(spec: TableSpec) -> list[bytes]:
    """Insert, update, delete of key 1, as the workload encodes them."""
    codec = TableCodec(spec, "gen")
    after = rows.AFTER[spec.name]
    return [
        codec.value("c", "null", after(1, 0), lsn=1000, tx=7, ts_us=1_795_000_000_000_000),
        codec.value("u", "null", after(1, 1), lsn=1320, tx=8, ts_us=1_795_000_000_000_200),
        codec.value("d", rows.delete_image(spec)(1), "null", lsn=1640, tx=9, ts_us=1_795_000_000_000_400),
    ]


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_generated_events_have_the_real_connectors_shape(spec: TableSpec) -> None:
    real = captured()[spec.name]
    assert [json.loads(compact(e["value"]))["payload"]["op"] for e in real[:3]] == ["c", "u", "d"]
    assert real[3]["value"] is None  # the tombstone after the delete
    for ours, theirs in zip(generated(spec), real[:3], strict=True):
        assert conformance.differences(ours, compact(theirs["value"]).encode(), "gen", CAPTURED_PREFIX) == []
    key = TableCodec(spec, "gen").key(1)
    assert conformance.differences(key, compact(real[0]["key"]).encode(), "gen", CAPTURED_PREFIX) == []


def test_the_comparison_notices_a_different_schema_or_value_type() -> None:
    real = compact(captured()["bench_orders"][0]["value"]).encode()
    ours = generated(TABLES[1])[0]
    assert conformance.differences(ours.replace(b'"int32"', b'"int64"'), real, "gen", CAPTURED_PREFIX)
    assert conformance.differences(ours.replace(b'"qty":', b'"qty":"x","q":'), real, "gen", CAPTURED_PREFIX)


@pytest.mark.parametrize(
    ("unscaled", "encoded"), [(0, "AA=="), (1234, "BNI="), (-1, "/w=="), (128, "AIA="), (9999, "Jw8=")]
)
def test_decimals_are_minimal_twos_complement(unscaled: int, encoded: str) -> None:
    assert rows.decimal_b64(unscaled) == encoded


def test_workload_mixes_operations_and_knows_its_final_state() -> None:
    workload = Workload("t", seed=3)
    records = list(workload.events(20_000))
    counts = workload.counts
    assert counts.events == 20_000 and counts.records == len(records) == 20_000 + counts.by_op["d"]
    assert (
        0.40 < counts.by_op["c"] / 20_000 < 0.50 and 0.05 < counts.by_op["d"] / 20_000 < 0.16
    )  # few cold keys yet
    expected = workload.expected_rows()
    assert sum(expected.values()) == counts.by_op["c"] - counts.by_op["d"]
    assert [value is None for _, (_, value) in records].count(True) == counts.by_op["d"]


def test_the_core_decodes_the_generated_stream_to_the_expected_final_state() -> None:
    workload = Workload("t", seed=5)
    records = []
    offsets = [0] * len(TABLES)
    for index, (key, value) in workload.events(3_000):
        records.append((workload.codecs[index].topic, 0, offsets[index], key, value))
        offsets[index] += 1
    (batch,) = batches_from_records(records, max_events=1_000_000)
    assert batch.error is None and batch.events == len(records)
    upserted = {t.source_table: t.upserts.num_rows if t.upserts else 0 for t in batch.tables}  # type: ignore[attr-defined]
    assert upserted == workload.expected_rows()


def test_latency_is_first_visible_answer_minus_commit() -> None:
    commits = [(10, 100.0), (20, 100.5), (30, 101.0)]
    seen = [(100.2, 5), (100.3, 10), (100.9, 25), (101.1, 20), (101.4, 30)]
    assert latencies(commits, seen) == pytest.approx([0.3, 0.4, 0.4])


@pytest.mark.parametrize(
    ("unscaled", "scale", "text"),
    [(0, 2, "0.00"), (123456, 2, "1234.56"), (5, 3, "0.005"), (-150, 2, "-1.50"), (7, 0, "7")],
)
def test_string_mode_decimals_are_exact_text(unscaled: int, scale: int, text: str) -> None:
    assert rows.decimal_text(unscaled, scale) == text
