"""The core's Arrow export read back by pyarrow and DuckDB: types, values, NULLs, masks, capsule lifetime.

Records go through the real C++ path without Kafka (``_core.batches_from_records``: decode, coalesce,
export), fed with the recorded Debezium envelopes of ``core/tests/data/envelopes``.
"""

from __future__ import annotations

import gc
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cdc_pipeline import _core

pa = pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")


ENVELOPES = Path(__file__).resolve().parents[2] / "core" / "tests" / "data" / "envelopes"
TOPIC = "dbserver1.public.all_types"


def envelope(name: str) -> bytes:
    return (ENVELOPES / f"{name}.json").read_bytes()


def with_after(name: str, change: dict[str, Any]) -> bytes:
    """The recorded envelope with some after-image values replaced."""
    document = json.loads(envelope(name))
    document["payload"]["after"].update(change)
    return json.dumps(document).encode()


def table_batch(*values: bytes) -> _core.TableBatch:
    records = [(TOPIC, 0, offset, envelope("all_types_key"), value) for offset, value in enumerate(values)]
    batches = _core.batches_from_records(records)
    assert len(batches) == 1
    assert batches[0].error is None
    (table,) = batches[0].tables
    return table


def read(stream: _core.ArrowStream | None) -> Any:
    assert stream is not None
    return pa.RecordBatchReader.from_stream(stream).read_all()


EXPECTED_ARROW_TYPES = {
    "id": pa.int32(),
    "c_smallint": pa.int16(),
    "c_bigint": pa.int64(),
    "c_real": pa.float32(),
    "c_double": pa.float64(),
    "c_bool": pa.bool_(),
    "c_text": pa.string(),
    "c_numeric": pa.decimal128(10, 2),
    "c_numeric_wide": pa.string(),  # precision 40 > 38: exact digits as text
    "c_numeric_var": pa.string(),  # numeric without precision: exact text, declared DECIMAL(38,18) if it fits
    "c_money": pa.decimal128(38, 2),
    "c_date": pa.date32(),
    "c_time": pa.time64("us"),
    "c_timetz": pa.string(),
    "c_ts": pa.timestamp("us"),
    "c_tstz": pa.timestamp("us", tz="UTC"),
    "c_interval": pa.month_day_nano_interval(),
    "c_json": pa.string(),
    "c_uuid": pa.string(),
    "c_bytea": pa.binary(),
    "c_bit": pa.string(),
    "c_int_arr": pa.list_(pa.int32()),
    "c_text_arr": pa.list_(pa.string()),
    "c_point": pa.binary(),
}


def test_every_column_has_the_arrow_type_of_the_changes_table() -> None:
    table = read(table_batch(envelope("all_types_create")).upserts)
    for name, arrow_type in EXPECTED_ARROW_TYPES.items():
        assert table.schema.field(name).type == arrow_type, name


def test_values_read_back_exactly() -> None:
    table = read(table_batch(envelope("all_types_create")).upserts)
    assert table["c_ts"].cast(pa.int64()).to_pylist() == [2**63 - 1]  # +infinity: DuckDB's infinity
    values = table.drop_columns(["c_ts"]).to_pylist()[0]
    assert values["c_smallint"] == -32768
    assert values["c_bigint"] == 2**63 - 1
    assert values["c_text"] == "héllo ☃"
    assert values["c_varchar"] == ""
    assert values["c_numeric"] == Decimal("-1.50")
    assert values["c_numeric_wide"] == "12345678901234567890123456789012345678.90"
    assert values["c_money"] == Decimal("1234.56")
    assert str(values["c_date"]) == "1969-07-20"
    assert str(values["c_time"]) == "12:34:56.789012"
    assert values["c_tstz"].isoformat() == "2018-06-20T13:13:16.945104+00:00"
    assert values["c_bytea"] == b"\x00\xff\x10"
    assert values["c_int_arr"] == [1, None, 3]  # a NULL element inside a list
    assert values["c_text_arr"] == []


def test_nulls_in_every_nullable_column() -> None:
    document = json.loads(envelope("all_types_create"))
    fields = document["schema"]["fields"][1]["fields"]
    nullable = [f["field"] for f in fields if f.get("optional", False)]
    assert len(nullable) > 20
    table = read(table_batch(with_after("all_types_create", dict.fromkeys(nullable))).upserts)
    row = table.to_pylist()[0]
    assert all(row[name] is None for name in nullable)
    assert row["id"] == 1


def test_toast_placeholders_become_masks() -> None:
    batch = table_batch(envelope("all_types_update_toast"))
    assert batch.unavailable == [
        "c_text",
        "c_jsonb",
        "c_bytea",
        "c_int_arr",
        "c_text_arr",
        "c_hstore",
        "c_xml",
    ]
    names = [c.name for c in batch.columns]
    table = read(batch.upserts)
    for column in batch.unavailable:
        mask = f"__cdc_unavailable_{names.index(column)}"
        assert table.schema.field(mask).type == pa.bool_()
        assert not table.schema.field(mask).nullable
        assert table[mask].to_pylist() == [True]
        assert table[column].to_pylist() == [None]


def test_keyed_deletes_carry_the_key() -> None:
    batch = table_batch(envelope("all_types_create"), envelope("all_types_delete"))
    assert batch.upserts is None
    assert read(batch.deletes).to_pylist() == [{"id": 1}]
    assert batch.counts == {"c": 1, "u": 0, "d": 1, "r": 0, "t": 0, "dup": 0, "unapplied": 0}


def test_duckdb_reads_the_stream_with_native_types() -> None:
    batch = table_batch(envelope("all_types_create"))
    conn = duckdb.connect()
    assert batch.upserts is not None
    conn.register("upserts", batch.upserts.__arrow_c_stream__())
    types = dict(conn.execute("SELECT column_name, column_type FROM (DESCRIBE upserts)").fetchall())
    assert types["c_numeric"] == "DECIMAL(10,2)"
    assert types["c_tstz"] == "TIMESTAMP WITH TIME ZONE"
    assert types["c_interval"] == "INTERVAL"
    assert types["c_int_arr"] == "INTEGER[]"
    assert types["c_bytea"] == "BLOB"
    row = conn.execute(
        "SELECT c_numeric, c_money, isinf(c_ts), c_interval, c_int_arr, CAST(c_jsonb AS JSON) FROM upserts"
    ).fetchone()
    assert row is not None
    assert row[0] == Decimal("-1.50")
    assert row[1] == Decimal("1234.56")
    assert row[2] is True  # Debezium's +infinity timestamp is DuckDB's infinity
    assert row[4] == [1, None, 3]


def test_streams_are_reusable_and_unconsumed_capsules_are_released() -> None:
    batch = table_batch(envelope("all_types_create"))
    stream = batch.upserts
    assert stream is not None
    assert stream.num_rows == 1
    for _ in range(3):  # each call exports a new stream over the same data
        assert read(stream).num_rows == 1
    for _ in range(100):  # never consumed: the capsule's destructor releases the stream
        capsule = stream.__arrow_c_stream__()
        del capsule
    gc.collect()
    assert type(stream.__arrow_c_stream__()).__name__ == "PyCapsule"


def test_many_rows_come_in_chunks_of_122880() -> None:
    value = with_after("all_types_create", {"id": 0}).decode()
    key = envelope("all_types_key").decode()
    assert value.count('"id": 0') == 1 and key.count('"id":1') == 1
    records = [
        (
            TOPIC,
            0,
            i,
            key.replace('"id":1', f'"id":{i}').encode(),
            # each event its own source position, as Debezium sends them (equal ones are duplicates)
            value.replace('"id": 0', f'"id": {i}')
            .replace('"lsn": 33554432', f'"lsn": {33554432 + i}')
            .encode(),
        )
        for i in range(130_000)
    ]
    (batch,) = _core.batches_from_records(records, 200_000)
    (table,) = batch.tables
    assert table.upserts is not None
    assert table.upserts.num_chunks == 2
    data = read(table.upserts)
    assert data.num_rows == 130_000
    assert data["id"].to_pylist()[:3] == [0, 1, 2]
    assert batch.offsets == [(TOPIC, 0, 130_000)]
