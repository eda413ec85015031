"""Dead-letter records: headers and key parsed, selections, and the replay plan's key filters and signals."""

from __future__ import annotations

import json

from cdc_pipeline.dead_letter.records import (
    DeadLetter,
    Selection,
    key_columns,
    key_filter,
    parse,
    plan,
    signal_payloads,
)

KEY = json.dumps(
    {
        "schema": {"type": "struct", "fields": [{"type": "int32", "optional": False, "field": "id"}]},
        "payload": {"id": 2},
    }
).encode()
VALUE = json.dumps({"payload": {"op": "u", "source": {"schema": "public", "table": "orders"}}}).encode()
HEADERS = [
    ("cdc.error.reason", b"column 'n': expected an integer"),
    ("cdc.source.topic", b"cdc.public.orders"),
    ("cdc.source.partition", b"0"),
    ("cdc.source.offset", b"41"),
]


def record(offset: int = 7, key: bytes | None = KEY) -> DeadLetter:
    return parse("__cdc-dead-letter.cdc", 0, offset, 1_700_000_000_000, key, VALUE, HEADERS, "cdc")


def test_a_record_names_its_origin_table_reason_and_key() -> None:
    r = record()
    assert (r.source_topic, r.source_partition, r.source_offset) == ("cdc.public.orders", 0, 41)
    assert (r.table, r.reason, r.key, r.key_problem) == (
        "public.orders",
        "column 'n': expected an integer",
        {"id": 2},
        None,
    )
    assert r.where == "topic __cdc-dead-letter.cdc partition 0 offset 7"


def test_the_table_comes_from_the_source_topic_when_the_value_is_unreadable() -> None:
    r = parse("dl", 0, 1, -1, None, b"not json", HEADERS, "cdc")
    assert r.table == "public.orders" and r.key is None and r.key_problem is not None


def test_keys_that_are_not_plain_literals_are_refused_with_the_reason() -> None:
    assert key_columns(None) == (None, "the record has no key (a table without a primary key)")
    decimal_key = json.dumps(
        {
            "schema": {
                "fields": [{"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "field": "d"}]
            },
            "payload": {"d": "AQ=="},
        }
    ).encode()
    keys, problem = key_columns(decimal_key)
    assert (
        keys is None
        and problem == "key column d has type org.apache.kafka.connect.data.Decimal, not a plain literal"
    )


def test_selection_by_table_or_one_record() -> None:
    r = record()
    assert Selection().matches(r) and Selection(table="public.orders").matches(r)
    assert not Selection(table="public.users").matches(r)
    assert Selection(topic="__cdc-dead-letter.cdc", partition=0, offset=7).matches(r)
    assert not Selection(topic="__cdc-dead-letter.cdc", partition=0, offset=8).matches(r)
    assert Selection(topic="cdc.public.orders").matches(r)  # by its source topic too


def test_the_plan_dedupes_keys_and_sets_aside_keyless_records() -> None:
    work = plan([record(1), record(2), record(3, key=None)])
    assert work.keys == {"public.orders": [{"id": 2}]}
    assert [r.offset for r in work.unkeyed] == [3]


def test_key_filters_quote_identifiers_and_literals() -> None:
    assert key_filter([{"id": 2}, {"id": 5}]) == '("id" = 2) OR ("id" = 5)'
    assert key_filter([{'we"ird': "o'k", "flag": True}]) == '("we""ird" = \'o\'\'k\' AND "flag" = true)'


def test_signals_fit_the_signal_tables_data_column() -> None:
    payloads = signal_payloads({"public.orders": [{"id": i} for i in range(400)]})
    assert len(payloads) > 1 and all(len(p) <= 2000 for p in payloads)
    filters = " OR ".join(json.loads(p)["additional-conditions"][0]["filter"] for p in payloads)
    assert filters == key_filter([{"id": i} for i in range(400)])
    first = json.loads(payloads[0])
    assert first["data-collections"] == ["public.orders"] and first["type"] == "incremental"
