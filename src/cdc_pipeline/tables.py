"""`cdc tables ...` and its logic: talk to the running sink, or open the DuckDB file when none runs.

The DuckDB file has one writer. When the sink runs, its endpoint (``POST /admin/tables``) hands the action to
the sink loop, which runs it between batches; when it does not, the action runs on the file directly. Either
way the same action of :mod:`cdc_pipeline.sink.tables_admin` runs and its report comes back.

`resnapshot` also needs Kafka and PostgreSQL: it reads the table's high watermarks first. Then either the
running sink loads the table straight from PostgreSQL (``--via postgres``, the default when it can:
:mod:`cdc_pipeline.sink.bulk_load`), or the sink drops the DuckDB copy and moves the table to those
watermarks and Debezium is sent an incremental ``execute-snapshot`` signal (``--via debezium``; keyed
tables, or keyless ones given ``key_columns``: the signal names them as ``surrogate-key``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

import httpx
from psycopg import sql

from cdc_pipeline import _core
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors import slots, source_db
from cdc_pipeline.connectors.model import TableRef, signal_table
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import endpoint_headers, endpoint_url
from cdc_pipeline.observe.status.tables import shown_state
from cdc_pipeline.sink.tables_admin import ActionReport, TablesReport, report_from_json

log = logging.getLogger("cdc_pipeline.tables")


def _sink_answers(settings: Settings) -> bool:
    if not settings.sink_http_port:
        return False
    try:
        return httpx.get(f"{endpoint_url(settings)}/health", timeout=2.0).status_code in {200, 503}
    except httpx.HTTPError:
        return False


def run_request(settings: Settings, request: dict[str, Any]) -> TablesReport | ActionReport:
    """Run one `cdc tables` action in the running sink, or on the DuckDB file when no sink runs."""
    if _sink_answers(settings):
        response = httpx.post(
            f"{endpoint_url(settings)}/admin/tables",
            json=request,
            headers=endpoint_headers(settings),
            timeout=90.0,
        )
        payload = response.json()
        if response.status_code != 200:
            raise CdcError(f"the sink refused `cdc tables {request['action']}`: {payload.get('error')}")
        return report_from_json(payload)
    return _run_on_file(settings, request)


def _run_on_file(settings: Settings, request: dict[str, Any]) -> TablesReport | ActionReport:
    import duckdb  # noqa: PLC0415 (keeps duckdb out of other commands)
    from cdc_pipeline.sink.admin import run_action  # noqa: PLC0415
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget  # noqa: PLC0415
    from cdc_pipeline.sink.tables_admin import action_from_request  # noqa: PLC0415

    if not settings.duckdb_file.exists():
        raise CdcError(
            f"no DuckDB file at {settings.duckdb_file}", "start the sink with `cdc up` or `cdc sink`"
        )
    try:
        with DuckDBTarget(settings.duckdb_file) as target:
            report = run_action(target, action_from_request(request))
    except duckdb.IOException as exc:
        raise CdcError(
            f"cannot open {settings.duckdb_file} ({exc}); another process holds it",
            f"run the command where the sink's endpoint (port {settings.sink_http_port}) answers",
        ) from exc
    assert isinstance(report, TablesReport | ActionReport)
    return report


def list_tables(settings: Settings) -> TablesReport:
    """Through the sink when it answers; from the file otherwise, where no table is ``running``."""
    via_sink = _sink_answers(settings)
    report = run_request(settings, {"action": "list"})
    assert isinstance(report, TablesReport)
    if via_sink:
        return report
    return TablesReport([replace(t, state=shown_state(t.state, "stopped")) for t in report.tables])


def _action(settings: Settings, request: dict[str, Any]) -> ActionReport:
    report = run_request(settings, request)
    assert isinstance(report, ActionReport)
    return report


def resume(settings: Settings, table: str) -> ActionReport:
    request = {"action": "resume", "table": TableRef.parse(table).qualified}
    return _action(settings, {**request, "exclude_columns": list(settings.exclude_columns)})


def skip(settings: Settings, table: str, topic: str, partition: int, offset: int) -> ActionReport:
    request = {"action": "skip", "table": TableRef.parse(table).qualified, "topic": topic}
    return _action(settings, {**request, "partition": partition, "offset": offset})


def _key_of(settings: Settings, table: TableRef) -> list[str] | None:
    """None for a keyed table; the surrogate key for a keyless one with key_columns; else an error."""
    with source_db.connect(settings) as conn:
        [facts] = source_db.table_facts(conn, [table])
    if not facts.exists:
        raise CdcError(f"table {table.qualified} does not exist in PostgreSQL", "check the name")
    if facts.has_primary_key:
        return None
    keys = settings.key_columns.get(table.qualified)
    if not keys:
        raise CdcError(
            f"table {table.qualified} has no primary key, so Debezium cannot snapshot it incrementally",
            f"set key_columns for it (e.g. KEY_COLUMNS={table.qualified}:col1,col2), run `cdc connectors "
            f"apply`, then `cdc tables resnapshot {table.qualified}`",
        )
    return keys


Via = Literal["auto", "postgres", "debezium"]
OnLoad = Callable[[dict[str, Any]], None]


def watermarks(settings: Settings, topic: str) -> dict[int, int]:
    """The topic's high watermark per partition (0 for a topic not created yet), read before the snapshot."""
    partitions = [
        n for name, n in _core.cluster_metadata(settings.bootstrap_servers, 10_000) if name == topic
    ]
    count = partitions[0] if partitions else 1
    return {
        p: _core.query_watermarks(settings.bootstrap_servers, topic, p, 10_000)[1] if partitions else 0
        for p in range(count)
    }


def resnapshot(
    settings: Settings, table: str, via: Via = "auto", on_load: OnLoad | None = None
) -> ActionReport:
    """Rebuild one table from a fresh snapshot while the others flow (module docstring).

    ``via``: ``postgres`` loads it straight from PostgreSQL in the running sink (sink/bulk_load.py; keyed
    tables of the types it reads); ``debezium`` sends Debezium an incremental snapshot signal; ``auto``
    loads from PostgreSQL when the sink runs and can, else goes through Debezium. ``on_load`` sees each
    progress report of a load until it is done."""
    ref = TableRef.parse(table)
    topic = f"{settings.topic_prefix}.{ref.qualified}"
    reason = None
    if via != "debezium":
        reason = _load(settings, ref, topic, on_load)
        if reason is None:
            return ActionReport(
                "resnapshot", ref.qualified, f"loaded {ref.qualified} from PostgreSQL", [], "sink"
            )
        if via == "postgres":
            raise CdcError(reason, f"run `cdc tables resnapshot {ref.qualified} --via debezium`")
        log.info("%s; re-snapshotting through Debezium instead", reason)
    surrogate = _key_of(settings, ref)
    offsets = watermarks(settings, topic)
    request = {"action": "resnapshot", "schema": ref.schema, "table": ref.table, "topic": topic}
    excluded = list(settings.exclude_columns)
    report = _action(settings, {**request, "next_offsets": offsets, "exclude_columns": excluded})
    signal_id = _send_signal(settings, ref, surrogate)
    done = f"{report.done}; sent execute-snapshot signal {signal_id} (incremental) for {ref.qualified}"
    if reason is not None:
        done = f"not loaded from PostgreSQL ({reason}): {done}"
    return ActionReport("resnapshot", ref.qualified, done, report.resumes_at, report.via)


def load_tables(settings: Settings, refs: list[TableRef], on_load: OnLoad | None = None) -> list[TableRef]:
    """Load tables that just joined the connector straight from PostgreSQL in the running sink (`cdc
    connectors apply`); the ones it could not load (no sink, a type it does not read, a failure), each
    logged with why, go back to the caller for Debezium's incremental snapshot."""
    rest = []
    for ref in refs:
        try:
            reason = _load(settings, ref, f"{settings.topic_prefix}.{ref.qualified}", on_load)
        except CdcError as exc:
            reason = str(exc)
        if reason is not None:
            log.warning("%s: Debezium snapshots %s instead", reason, ref.qualified)
            rest.append(ref)
    return rest


def _load(settings: Settings, ref: TableRef, topic: str, on_load: OnLoad | None) -> str | None:
    """Load the table straight from PostgreSQL in the running sink and wait for it; None when it is done,
    else why it could not start (a failure once started raises)."""
    if not _sink_answers(settings):
        return "no sink runs to load the table from PostgreSQL"
    request = {"action": "load", "schema": ref.schema, "table": ref.table, "topic": topic}
    response = httpx.post(
        f"{endpoint_url(settings)}/admin/tables",
        json={**request, "next_offsets": watermarks(settings, topic)},
        headers=endpoint_headers(settings),
        timeout=90.0,
    )
    payload = response.json()
    if response.status_code != 200:
        return str(payload.get("error") or payload)
    while True:
        status = httpx.get(
            f"{endpoint_url(settings)}/status", headers=endpoint_headers(settings), timeout=10.0
        )
        loads = {str(p["table"]): p for p in status.json().get("loads", [])}
        progress = loads.get(ref.qualified, payload["load"])
        if on_load is not None:
            on_load(progress)
        if progress["state"] == "done":
            return None
        if progress["state"] == "failed":
            raise CdcError(
                f"loading {ref.qualified} from PostgreSQL failed: {progress['error']}; its DuckDB copy is "
                "unchanged",
                f"fix the cause, or run `cdc tables resnapshot {ref.qualified} --via debezium`",
            )
        time.sleep(0.1)  # the command returns as soon as the swap is done


def _send_signal(settings: Settings, table: TableRef, surrogate: list[str] | None) -> str:
    signal = signal_table(settings)
    slots.ensure_signal_table(settings, signal)
    data: dict[str, Any] = {"data-collections": [table.pattern], "type": "incremental"}
    if surrogate:
        data["surrogate-key"] = ",".join(surrogate)
    signal_id = f"cdc-resnapshot-{uuid.uuid4().hex[:16]}"
    statement = sql.SQL("INSERT INTO {} (id, type, data) VALUES (%s, 'execute-snapshot', %s)").format(
        sql.Identifier(signal.schema, signal.table)
    )
    with source_db.connect(settings) as conn:
        conn.execute(statement, (signal_id, json.dumps(data)))
    return signal_id
