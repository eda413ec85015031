"""Row images for the benchmark tables, as the JSON text Debezium puts in ``before``/``after``.

A row is a pure function of ``(key, version)``, so the expected final state of a run is known without
keeping the rows. Deletes carry what Debezium sends with ``REPLICA IDENTITY DEFAULT``: the key, zero values
for NOT NULL columns and null for the others.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from cdc_bench.tables import ACCOUNTS, EVENTS, ORDERS, WIDE, TableSpec

RowImage = Callable[[int, int], str]

_BASE_US = 1_714_557_600_000_000  # 2024-05-01T10:00:00Z
_STATUSES = ("open", "frozen", "closed", "pending")
_KINDS = ("click", "view", "purchase", "signup", "logout")


def decimal_b64(unscaled: int) -> str:
    """Kafka Connect's Decimal: the unscaled value as minimal big-endian two's complement, base64."""
    size = (unscaled.bit_length() + 8) // 8
    return base64.b64encode(unscaled.to_bytes(size, "big", signed=True)).decode()


def decimal_text(unscaled: int, scale: int) -> str:
    """A numeric in decimal.handling.mode=string: its exact digits with ``scale`` fractional digits."""
    sign, digits = ("-" if unscaled < 0 else ""), str(abs(unscaled)).rjust(scale + 1, "0")
    return sign + (f"{digits[:-scale]}.{digits[-scale:]}" if scale > 0 else digits)


def zoned(us: int) -> str:
    """io.debezium.time.ZonedTimestamp: UTC, always six fractional digits."""
    seconds, micros = divmod(us, 1_000_000)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    day = 1 + days % 28
    return f"2024-05-{day:02d}T{hours:02d}:{minutes:02d}:{secs:02d}.{micros:06d}Z"


def _accounts(key: int, version: int) -> str:
    balance = decimal_text((key * 7919 + version * 104_729) % 10_000_000_000, 2)
    stamp = zoned(key * 1_000_003 + version * 17_000_000)
    status = _STATUSES[(key + version) % 4]
    return (
        f'{{"id":{key},"owner":"owner-{key}","balance":"{balance}","status":"{status}",'
        f'"updated_at":"{stamp}"}}'
    )


def _orders(key: int, version: int) -> str:
    amount = decimal_text((key * 31 + version * 977) % 100_000_000, 2)
    return (
        f'{{"id":{key},"account_id":{key % 10_007},"amount":"{amount}","qty":{(key + version) % 50},'
        f'"note":"order {key} v{version} handle with care","created_at":{_BASE_US + key * 1_000_003}}}'
    )


def _events(key: int, version: int) -> str:
    payload = json.dumps(json.dumps({"user": key % 5003, "v": version, "tags": ["a", "b"], "ok": True}))
    stamp = zoned(key * 999_983 + version)
    return f'{{"id":{key},"kind":"{_KINDS[(key + version) % 5]}","payload":{payload},"at":"{stamp}"}}'


def _wide(key: int, version: int) -> str:
    k, v = key, version
    var = decimal_text(k * 100_003 + v, v % 6)
    doc = json.dumps(json.dumps({"k": k, "v": v, "nested": {"a": [1, 2, 3]}}))
    return (
        f'{{"id":{k},"c_smallint":{(k + v) % 32_000 - 16_000},"c_bigint":{k * 1_000_000_007 + v},'
        f'"c_real":{(k % 1000) / 4},"c_double":{k / 8 + v},"c_bool":{"true" if (k + v) % 2 else "false"},'
        f'"c_text":"wide row {k} version {v} with some text","c_varchar":"v{v}-{k}",'
        f'"c_numeric":"{decimal_text((k * 13 + v) % 100_000_000, 2)}",'
        f'"c_numeric_var":"{var}","c_date":{19_000 + k % 2000},'
        f'"c_time":{(k * 1_000_003 + v) % 86_400_000_000},"c_ts":{_BASE_US + k * 1_000_003 + v},'
        f'"c_tstz":"{zoned(k * 777_777 + v)}","c_interval":"P0Y{v % 12}M{k % 28}DT{k % 24}H3M4.5S",'
        f'"c_json":{doc},"c_jsonb":{doc},'
        f'"c_uuid":"a0eebc99-9c0b-4ef8-bb6d-{k % 1_000_000_000_000:012d}",'
        f'"c_bytea":"{base64.b64encode(k.to_bytes(8, "big")).decode()}",'
        f'"c_int_arr":[{k % 100},null,{v}],"c_text_arr":["x{k % 7}","y"],'
        f'"c_inet":"10.{k % 256}.{v % 256}.1"}}'
    )


AFTER: dict[str, RowImage] = {
    ACCOUNTS.name: _accounts,
    ORDERS.name: _orders,
    EVENTS.name: _events,
    WIDE.name: _wide,
}


def _zero(spec: TableSpec, column_type: str) -> str:
    return {"string": '""', "bytes": '"AA=="', "boolean": "false"}.get(column_type, "0")


def delete_image(spec: TableSpec) -> Callable[[int], str]:
    """``before`` of a delete under REPLICA IDENTITY DEFAULT: the key, zeros for NOT NULL columns, nulls."""
    parts = []
    for column in spec.columns:
        if column.key:
            parts.append(f'"{column.name}":\x00')
        elif column.optional:
            parts.append(f'"{column.name}":null')
        else:
            parts.append(f'"{column.name}":{_zero(spec, column.schema["type"])}')
    head, tail = ("{" + ",".join(parts) + "}").split("\x00")
    return lambda key: f"{head}{key}{tail}"
