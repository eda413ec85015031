"""The sink's HTTP endpoint on 127.0.0.1: read-only SQL, Prometheus metrics, health and status.

It runs in the sink process (the only process that may open the DuckDB file) on threads of its own; each
request gets its own DuckDB cursor, so reads see committed snapshots and never block the apply loop.

===========  ======================================================================================
``POST /query``    body: the SQL text, or JSON ``{"sql": "...", "format": "json|csv|arrow"}``;
                   ``?format=`` also works. 200 with the result; 403 ``{"error", "kind": "refused"}``
                   for a statement that would write; 400 for SQL that fails; 504 when it runs too long.
``GET /metrics``   Prometheus text format.
``GET /health``    ``{"status": "ok", "state": ...}``; 503 while starting and once the sink failed.
``POST /admin/tables``  JSON ``{"action": "list|resume|skip|resnapshot", ...}``: run by the sink loop
                   between batches (the one writer of the file); 200 with the report, 409 when refused.
``GET /status``    JSON: sink counters and, per table, rows, last LSN, source commit time, lag, events per
                   second over the last minute, errors; consumer lag per topic and partition; the
                   connector's health (slot lag, retries, STALLED) when the sink samples it.
===========  ======================================================================================

Every endpoint except ``/health`` needs ``Authorization: Bearer <token>`` (:mod:`.token`); without it the
answer is 401 naming the token file. The server binds ``127.0.0.1`` unless ``sink_http_host`` says otherwise.

A client that goes away before its answer is written (a closed ``curl``, a killed ``cdc query``) costs one
INFO line, never a traceback in sink.log.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from contextlib import closing
from http.server import ThreadingHTTPServer
from typing import Any

import duckdb
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint import query_exec
from cdc_pipeline.observe.endpoint.handler import EndpointHandler, error
from cdc_pipeline.observe.endpoint.readonly import InvalidSqlError, WriteRefusedError
from cdc_pipeline.observe.endpoint.token import EndpointToken
from cdc_pipeline.observe.status.connector_health import ConnectorHealth
from cdc_pipeline.observe.status.replica_tables import replica_tables
from cdc_pipeline.sink import tables_admin
from cdc_pipeline.sink.admin import AdminQueue
from cdc_pipeline.sink.bulk_load import LoadRequest, LoadRunner
from cdc_pipeline.sink.stats import SinkStats

log = logging.getLogger("cdc_pipeline.observe")

HOST = "127.0.0.1"
CursorFactory = Callable[[], duckdb.DuckDBPyConnection]
HealthSource = Callable[[], ConnectorHealth | None]


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) resets connections when dozens of clients query at once.
    request_queue_size = 128


class ObserveServer:
    """Serves the endpoints above until :meth:`stop`. Port 0 picks a free port (see :attr:`port`)."""

    def __init__(
        self,
        cursor: CursorFactory,
        stats: SinkStats,
        port: int,
        limits: query_exec.QueryLimits,
        token: EndpointToken,
        *,
        host: str = HOST,
        admin: AdminQueue | None = None,
        connector_health: HealthSource | None = None,
        loads: LoadRunner | None = None,
    ) -> None:
        self.cursor = cursor
        self.admin = admin
        self.loads = loads
        self.connector_health = connector_health
        self.stats = stats
        self.limits = limits
        self.token = token
        self.host = host
        self._httpd = _Server((host, port), type("Handler", (EndpointHandler,), {"endpoint": self}))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        shown = HOST if self.host in {"", "0.0.0.0"} else self.host
        return f"http://{shown}:{self.port}"

    def start(self) -> ObserveServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="cdc-http", daemon=True)
        self._thread.start()
        log.info("query, metrics and status endpoint on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop accepting requests and close the socket (requests in flight finish on their threads)."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ObserveServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- endpoint bodies -------------------------------------------------------------------------------

    def query(
        self, sql: str, fmt: str, client_gone: Callable[[], bool] = lambda: False
    ) -> tuple[int, str, bytes]:
        try:
            with closing(self.cursor()) as cursor:
                result = query_exec.run_read_only(cursor, sql, self.limits, client_gone)
        except WriteRefusedError as exc:
            return error(403, "refused", str(exc))
        except InvalidSqlError as exc:
            return error(400, "invalid_sql", str(exc))
        except query_exec.QueryTimeoutError as exc:
            return error(504, "timeout", str(exc))
        except query_exec.ResultTooLargeError as exc:
            return error(413, "too_large", str(exc))
        except query_exec.ClientGoneError as exc:
            log.info("a query's client went away; its statement was interrupted")
            return error(499, "client_gone", str(exc))
        except duckdb.Error as exc:
            return error(400, "sql_error", str(exc))
        return 200, query_exec.CONTENT_TYPES[fmt], query_exec.encode(result, fmt)

    def tables_admin(self, body: str) -> tuple[int, str, bytes]:
        """``POST /admin/tables``: run a `cdc tables` action in the sink loop, between batches."""
        if self.admin is None:
            return error(503, "unavailable", "this endpoint does not run a sink loop")
        try:
            request = json.loads(body)
            if isinstance(request, dict) and request.get("action") == "load":
                return self._start_load(request)
            action = tables_admin.action_from_request(request)
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            return error(400, "bad_request", str(exc))
        try:
            report = self.admin.submit(action, moves_tables=tables_admin.moves_tables(request))
        except CdcError as exc:
            return error(409, "refused", str(exc))
        except TimeoutError as exc:
            return error(503, "busy", str(exc))
        payload = json.dumps({**report.to_json(), "via": "sink"}, default=str).encode("utf-8")
        return 200, "application/json", payload

    def _start_load(self, request: dict[str, Any]) -> tuple[int, str, bytes]:
        """``{"action": "load", ...}``: start loading a table straight from PostgreSQL (sink/bulk_load.py);
        the answer comes at once, the progress is in ``/status`` under ``loads``."""
        if self.loads is None:
            return error(503, "unavailable", "this sink cannot load tables from PostgreSQL")
        offsets = {int(p): int(o) for p, o in dict(request["next_offsets"]).items()}
        load = LoadRequest(str(request["schema"]), str(request["table"]), str(request["topic"]), offsets)
        try:
            progress = self.loads.start(load)
        except CdcError as exc:
            return error(409, "refused", str(exc))
        return 200, "application/json", json.dumps({"load": progress.to_json()}).encode("utf-8")

    def status(self) -> dict[str, Any]:
        """The sink's own counters merged with what DuckDB holds (rows, totals since the first run)."""
        snapshot = self.stats.snapshot()
        live = {t["source_table"]: t for t in snapshot["tables"]}
        with closing(self.cursor()) as cursor:
            stored = replica_tables(cursor, with_rows=True)
        tables = [_merge(table.to_json(), live.get(table.source_table)) for table in stored]
        tables.extend(t for name, t in live.items() if name not in {s.source_table for s in stored})
        health = self.connector_health() if self.connector_health is not None else None
        connectors = [] if health is None else [health.to_json()]
        return {**snapshot, "tables": tables, "connectors": connectors}


def _merge(stored: dict[str, Any], live: dict[str, Any] | None) -> dict[str, Any]:
    """DuckDB's totals (since the first run) plus what only the running process knows (events, lag)."""
    if live is None:
        return stored
    merged = {
        **stored,
        "events": live["events"],
        "lag_seconds": live["lag_seconds"],
        "events_per_second": live["events_per_second"],
    }
    if live["last_error"]:
        merged["last_error"] = live["last_error"]
    if live["state"] == "stopped":
        merged["state"] = "stopped"
    return merged
