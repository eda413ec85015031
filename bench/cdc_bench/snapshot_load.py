"""Scenario ``load``: a table's snapshot into DuckDB, Debezium's incremental snapshot beside the sink's load
straight from PostgreSQL (`cdc tables resnapshot --via postgres`), on the running stack (`cdc up`).

1. ``public.bench_load`` holds ``rows`` rows laid out as pgbench's ``pgbench_accounts`` (int key, two ints,
   ``char(84)`` filler), made once and kept across runs.
2. Debezium: an earlier run's DuckDB copy is dropped, then the table joins the pipeline's own connector,
   which snapshots it incrementally through Kafka (how an added table is captured); time = joined ->
   ``count(*)`` in DuckDB (asked through the sink's endpoint every 0.25 s) reaches ``rows``. Skipped with
   ``--no-debezium``.
3. PostgreSQL: ``repeat`` loads by `cdc tables resnapshot --via postgres`; time = the command's own wall time
   (watermarks, COPY into staging, the swap). CPU cores of the sink over it, from /proc.

At the end the connector gets back the config it had before the bench; the table's DuckDB copy stays.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg

from cdc_bench import latency
from cdc_bench.report import print_table
from cdc_pipeline import tables
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector, client_for
from cdc_pipeline.connectors.model import TableRef, pipeline_tables
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import endpoint_headers, endpoint_url
from cdc_pipeline.sample import postgres_dsn

TABLE = "bench_load"
DEBEZIUM_TIMEOUT_S = 1800.0


def _prepare_table(settings: Settings, rows: int) -> None:
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as pg:
        pg.execute(
            f"CREATE TABLE IF NOT EXISTS public.{TABLE} "
            "(aid integer PRIMARY KEY, bid integer NOT NULL, abalance integer NOT NULL, filler char(84))"
        )
        row = pg.execute(f"SELECT count(*) FROM public.{TABLE}").fetchone()
        if row is None or int(row[0]) != rows:
            pg.execute(f"TRUNCATE public.{TABLE}")
            pg.execute(
                f"INSERT INTO public.{TABLE} SELECT g, 1 + (g - 1) / 100000, 0, '' "
                f"FROM generate_series(1, {rows}) g"
            )
        pg.execute(f"ANALYZE public.{TABLE}")


def _duck_count(settings: Settings) -> int | None:
    try:
        response = httpx.post(
            f"{endpoint_url(settings)}/query",
            content=f"SELECT count(*) FROM main.{TABLE}",
            headers=endpoint_headers(settings),
            timeout=10.0,
        )
        return int(response.json()["rows"][0][0]) if response.status_code == 200 else None
    except (httpx.HTTPError, KeyError, ValueError, IndexError):
        return None


def _drop_duckdb_copy(settings: Settings) -> None:
    """An earlier run's DuckDB copy goes (the sink drops it and moves the topic to its end), so the count
    measures this snapshot."""
    topic = f"{settings.topic_prefix}.public.{TABLE}"
    request = {"action": "resnapshot", "schema": "public", "table": TABLE, "topic": topic}
    tables.run_request(settings, {**request, "next_offsets": tables.watermarks(settings, topic)})


def _debezium(settings: Settings, rows: int) -> dict[str, Any]:
    _drop_duckdb_copy(settings)
    started = time.monotonic()
    apply_connector(settings, [*pipeline_tables(settings), TableRef("public", TABLE)])
    while time.monotonic() - started < DEBEZIUM_TIMEOUT_S:
        if _duck_count(settings) == rows:
            seconds = time.monotonic() - started
            return {"path": "debezium incremental snapshot", "rows": rows, "seconds": seconds,
                    "rows_per_s": rows / seconds}  # fmt: skip
        time.sleep(0.25)
    raise CdcError(
        f"Debezium's snapshot of public.{TABLE} did not reach {rows} rows in DuckDB within "
        f"{DEBEZIUM_TIMEOUT_S:.0f} s",
        "check `cdc status`, or run the bench with --no-debezium",
    )


def _postgres(settings: Settings, rows: int) -> dict[str, Any]:
    pids = latency.component_pids(settings)
    cpu_before, started = latency.component_cpu(pids), time.monotonic()
    report = tables.resnapshot(settings, f"public.{TABLE}", "postgres")
    seconds = time.monotonic() - started
    cpu_after = latency.component_cpu(latency.component_pids(settings))
    if _duck_count(settings) != rows:
        raise CdcError(f"the load of public.{TABLE} did not leave {rows} rows in DuckDB ({report.done})")
    # the sink only: PostgreSQL's COPY runs in a backend forked for the load, gone before it is measured
    cores = {"sink": (cpu_after["sink"] - cpu_before["sink"]) / seconds}
    return {"path": "load from postgres", "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
            "cpu_cores": cores}  # fmt: skip


def run(settings: Settings, rows: int, repeat: int, debezium: bool) -> dict[str, Any]:
    _prepare_table(settings, rows)
    with client_for(settings) as client:  # the pipeline's connector as it is, to put back at the end
        before = client.get_config(settings.connector_name)
    results: list[dict[str, Any]] = []
    try:
        if debezium:
            results.append(_debezium(settings, rows))
        else:
            apply_connector(settings, [*pipeline_tables(settings), TableRef("public", TABLE)])
        results += [_postgres(settings, rows) for _ in range(repeat)]
    finally:
        latency.restore(settings, before)
    loads = sorted((r for r in results if r["path"] == "load from postgres"), key=lambda r: r["seconds"])
    median = loads[len(loads) // 2]
    print_table(
        f"snapshot of a {rows:,}-row pgbench_accounts-like table into DuckDB",
        ["path", "seconds", "rows/s"],
        [[r["path"], r["seconds"], r["rows_per_s"]] for r in results],
    )
    summary: dict[str, Any] = {"rows": rows, "repeat": repeat, "results": results, "median_load": median}
    slow = next((r for r in results if r["path"].startswith("debezium")), None)
    if slow is not None:
        summary["speedup"] = slow["seconds"] / median["seconds"]
        print(f"load from PostgreSQL: {summary['speedup']:.1f}x faster than Debezium's incremental snapshot")
    return summary
