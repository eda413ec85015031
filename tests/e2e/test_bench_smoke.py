"""Every benchmark scenario at a tiny size on the session stack, and the generator checked against events
captured from the real connector (the check that makes the throughput numbers mean something)."""

from __future__ import annotations

import json
import uuid

import psycopg

from cdc_bench import backlog, bulk_insert, conformance, latency, rows, snapshot_load, throughput
from cdc_bench.envelope import TableCodec, compact
from cdc_bench.tables import TABLES
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef
from tests.e2e.kafka_helpers import read_topic

INSERT = {
    "bench_accounts": "(1, 'alice', 12.50, 'open', '2024-05-01 10:00:00.123456+00')",
    "bench_orders": "(1, 7, 99.99, 3, 'note', '2024-05-01 10:00:00.123456')",
    "bench_events": """(1, 'click', '{"a": 1}', '2024-05-01 10:00:00+00')""",
    "bench_wide": """(1, -3, 1234567890123, 1.5, 2.25, true, 'text', 'varchar', 12.34, 3.14159, '2024-05-01',
      '12:34:56.789012', '2024-05-01 10:00:00.5', '2024-05-01 10:00:00.25+00', '1 day 02:03:04', '{"x": 1}',
      '{"y": [true, null]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', '{1,NULL,3}', '{a,b}',
      '10.0.0.1')""",
}
UPDATE = {"bench_accounts": "balance = 13.75", "bench_orders": "qty = 4", "bench_events": "kind = 'view'"}


def _drop(settings: Settings, pg: psycopg.Connection[tuple[object, ...]], schema: str = "public") -> None:
    with ConnectClient(settings.connect_url) as client:
        client.delete(settings.connector_name)
    pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active")
    pg.execute(f"DROP SCHEMA {schema} CASCADE")


def test_generated_events_match_events_from_the_real_connector(
    stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]
) -> None:
    schema = f"benchcap_{uuid.uuid4().hex[:6]}"
    settings = stack_settings.model_copy(update={"connector_name": schema, "topic_prefix": schema})
    pg.execute(f"CREATE SCHEMA {schema}")
    for spec in TABLES:
        pg.execute(spec.ddl(schema))
    apply_connector(settings, [TableRef(schema, spec.name) for spec in TABLES])
    try:
        for spec in TABLES:
            table = f'{schema}."{spec.name}"'
            pg.execute(f"INSERT INTO {table} VALUES {INSERT[spec.name]}")
            pg.execute(f"UPDATE {table} SET {UPDATE.get(spec.name, 'c_text = $$changed$$')} WHERE id = 1")
            pg.execute(f"DELETE FROM {table} WHERE id = 1")
        for spec in TABLES:
            real = read_topic(settings.bootstrap_servers, f"{schema}.{schema}.{spec.name}", count=4)
            assert [m.value is None for m in real] == [False, False, False, True]
            assert all(m.value and compact(json.loads(m.value)).encode() == m.value for m in real[:3])
            codec = TableCodec(spec, "gen", schema=schema)
            ours = [
                codec.value(
                    "c", "null", rows.AFTER[spec.name](1, 0), lsn=1, tx=1, ts_us=1_795_000_000_000_000
                ),
                codec.value(
                    "u", "null", rows.AFTER[spec.name](1, 1), lsn=2, tx=2, ts_us=1_795_000_000_000_000
                ),
                codec.value(
                    "d", rows.delete_image(spec)(1), "null", lsn=3, tx=3, ts_us=1_795_000_000_000_000
                ),
                codec.key(1),
            ]
            theirs = [m.value or b"" for m in real[:3]] + [real[0].key or b""]
            for mine, captured in zip(ours, theirs, strict=True):
                assert conformance.differences(mine, captured, "gen", schema) == [], spec.name
    finally:
        _drop(settings, pg, schema)


def test_throughput_and_backlog_scenarios_run(stack_settings: Settings) -> None:
    result = throughput.run(
        stack_settings.bootstrap_servers, 2_000, repeat=1, rowbyrow_events=200, tuned=False
    )
    assert result["state"]["ok"], result["state"]
    assert all(rate > 0 for rate in result["rates"].values())
    assert set(result["ratios"]) == {"ours/decode", "ours/bulk", "ours/rowbyrow", "ours/no-read-ahead"}
    memory = backlog.run(stack_settings.bootstrap_servers, 2_000, prefix=f"backlog{uuid.uuid4().hex[:6]}")
    assert memory["state"]["ok"] and memory["sink"]["peak_rss_mb"] > 0


def test_latency_scenario_runs(stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """On the stack users have: its table joins the pipeline's own connector, which gets its config back."""
    with ConnectClient(stack_settings.connect_url) as client:
        before = client.get_config(stack_settings.connector_name)
    try:
        result = latency.run(stack_settings, [100], seconds=2.0)
        (measured,) = result["results"]
        assert measured["lost"] == 0 and measured["measured"] > 0
        assert 0 < measured["p50_ms"] < 30_000
        assert set(measured["cpu_cores"]) == set(latency.COMPONENTS)
        with ConnectClient(stack_settings.connect_url) as client:
            after = client.get_config(stack_settings.connector_name)
        assert after == before, "the bench gives the connector back the config it had"
    finally:
        pg.execute(f"DROP TABLE IF EXISTS public.{latency.TABLE}")


def test_insert_scenario_runs(stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """Every connector config of the scenario measures a transaction that became visible, on the pipeline's
    own connector, which gets its config back."""
    with ConnectClient(stack_settings.connect_url) as client:
        before = client.get_config(stack_settings.connector_name)
    try:
        result = bulk_insert.run(stack_settings, rows=300)
        assert {r["config"] for r in result["results"]} == set(bulk_insert.CONFIGS)
        assert all(r["rows"] == 300 and 0 < r["visible_s"] < 600 for r in result["results"])
        with ConnectClient(stack_settings.connect_url) as client:
            after = client.get_config(stack_settings.connector_name)
        assert after == before, "the bench gives the connector back the config it had"
    finally:
        pg.execute(f"DROP TABLE IF EXISTS public.{latency.TABLE}")


def test_load_scenario_runs(stack_settings: Settings, pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """Both snapshot paths fill the table in DuckDB on the pipeline's own connector, which gets its config
    back."""
    with ConnectClient(stack_settings.connect_url) as client:
        before = client.get_config(stack_settings.connector_name)
    try:
        result = snapshot_load.run(stack_settings, rows=2000, repeat=1, debezium=True)
        paths = [r["path"] for r in result["results"]]
        assert paths == ["debezium incremental snapshot", "load from postgres"], paths
        assert all(r["rows"] == 2000 and r["seconds"] > 0 for r in result["results"])
        assert result["speedup"] > 0
        with ConnectClient(stack_settings.connect_url) as client:
            after = client.get_config(stack_settings.connector_name)
        assert after == before, "the bench gives the connector back the config it had"
    finally:
        pg.execute(f"DROP TABLE IF EXISTS public.{snapshot_load.TABLE}")


def test_the_bench_table_keeps_only_the_last_id_of_earlier_runs(
    pg: psycopg.Connection[tuple[object, ...]],
) -> None:
    """Joining the connector snapshots the table: old rows would be measured as load (seen: p50 0.6 s)."""
    pg.execute(
        f"CREATE TABLE IF NOT EXISTS public.{latency.TABLE} "
        "(id bigint PRIMARY KEY, note text, at timestamptz)"
    )
    last = latency.next_id(pg) + 100
    pg.execute(
        f"INSERT INTO public.{latency.TABLE} SELECT g, 'earlier run', now() "
        "FROM generate_series(%s::bigint, %s::bigint) g",
        (last - 99, last),
    )
    latency.forget_earlier_runs(pg)
    assert pg.execute(f"SELECT id FROM public.{latency.TABLE}").fetchall() == [(last,)]
    assert latency.next_id(pg) == last + 1, "ids go on past what the DuckDB copy holds"
