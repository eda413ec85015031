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
import select
import socket
import threading
from collections.abc import Callable
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint import query_exec
from cdc_pipeline.observe.endpoint.readonly import InvalidSqlError, WriteRefusedError
from cdc_pipeline.observe.endpoint.token import EndpointToken, authorized
from cdc_pipeline.observe.status.connector_health import ConnectorHealth
from cdc_pipeline.observe.status.replica_tables import replica_tables
from cdc_pipeline.sink import tables_admin
from cdc_pipeline.sink.admin import AdminQueue
from cdc_pipeline.sink.stats import METRICS_CONTENT_TYPE, SinkStats

log = logging.getLogger("cdc_pipeline.observe")

HOST = "127.0.0.1"
OPEN_PATHS = frozenset({"/health"})  # everything else needs the token
MAX_BODY = 1 << 20  # 1 MiB of SQL is plenty; refuse more instead of reading it
CursorFactory = Callable[[], duckdb.DuckDBPyConnection]
HealthSource = Callable[[], ConnectorHealth | None]
GONE = (BrokenPipeError, ConnectionResetError)  # the client closed its socket before the answer


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
    ) -> None:
        self.cursor = cursor
        self.admin = admin
        self.connector_health = connector_health
        self.stats = stats
        self.limits = limits
        self.token = token
        self.host = host
        self._httpd = _Server((host, port), _handler_class(self))
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
            return _error(403, "refused", str(exc))
        except InvalidSqlError as exc:
            return _error(400, "invalid_sql", str(exc))
        except query_exec.QueryTimeoutError as exc:
            return _error(504, "timeout", str(exc))
        except query_exec.ResultTooLargeError as exc:
            return _error(413, "too_large", str(exc))
        except query_exec.ClientGoneError as exc:
            log.info("a query's client went away; its statement was interrupted")
            return _error(499, "client_gone", str(exc))
        except duckdb.Error as exc:
            return _error(400, "sql_error", str(exc))
        return 200, query_exec.CONTENT_TYPES[fmt], query_exec.encode(result, fmt)

    def tables_admin(self, body: str) -> tuple[int, str, bytes]:
        """``POST /admin/tables``: run a `cdc tables` action in the sink loop, between batches."""
        if self.admin is None:
            return _error(503, "unavailable", "this endpoint does not run a sink loop")
        try:
            request = json.loads(body)
            action = tables_admin.action_from_request(request)
        except (ValueError, AttributeError) as exc:
            return _error(400, "bad_request", str(exc))
        try:
            report = self.admin.submit(action, moves_tables=tables_admin.moves_tables(request))
        except CdcError as exc:
            return _error(409, "refused", str(exc))
        except TimeoutError as exc:
            return _error(503, "busy", str(exc))
        payload = json.dumps({**report.to_json(), "via": "sink"}, default=str).encode("utf-8")
        return 200, "application/json", payload

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


def _error(status: int, kind: str, message: str) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps({"error": message, "kind": kind}).encode("utf-8")


Answer = tuple[int, str, bytes]


def _query_request(body: str, query: str, content_type: str) -> tuple[str, str, Answer | None]:
    """(sql, format, None) of a ``POST /query``, or ("", "", the error answer)."""
    fmt = parse_qs(query).get("format", ["json"])[0]
    sql = body
    if "json" in content_type:
        try:
            request = json.loads(body)
            sql, fmt = str(request["sql"]), str(request.get("format", fmt))
        except (ValueError, KeyError, TypeError):
            return "", "", _error(400, "bad_request", 'expected JSON {"sql": "...", "format": "json"}')
    if fmt not in query_exec.FORMATS:
        return "", "", _error(400, "bad_request", f"format must be one of {', '.join(query_exec.FORMATS)}")
    return sql, fmt, None


def _client_gone(connection: socket.socket) -> bool:
    """Has the client closed its end? (A readable socket with nothing to read is a closed one.)"""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _handler_class(server: ObserveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

        def handle(self) -> None:
            try:
                super().handle()
            except GONE as exc:
                self.close_connection = True
                log.info(
                    "client %s:%s went away before its answer was sent (%s)",
                    *self.client_address[:2],
                    type(exc).__name__,
                )

        def _authorized(self, path: str) -> bool:
            """Every path but ``/health`` needs the token; a request without it gets 401 and nothing else."""
            if path in OPEN_PATHS or authorized(self.headers.get("Authorization"), server.token.value):
                return True
            length = int(self.headers.get("Content-Length") or 0)
            if 0 < length <= MAX_BODY:
                self.rfile.read(length)  # drain, so the client reads our answer instead of a reset
            log.info("refused a request for %s from %s without the right token", path, self.client_address[0])
            status, content_type, body = _error(401, "unauthorized", server.token.unauthorized_message())
            self.send_response(status)
            self.send_header("WWW-Authenticate", 'Bearer realm="cdc_pipeline sink"')
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return False

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if not self._authorized(path):
                return
            if path == "/metrics":
                self._send(200, METRICS_CONTENT_TYPE, server.stats.metrics_text())
            elif path == "/health":
                # Healthy only once the loop has run a turn (Kafka reached, offsets read, first batch applied
                # or none waiting): `cdc up` must not call a sink healthy that dies on its first batch.
                healthy = server.stats.state not in {"failed", "starting"}
                state = server.stats.state
                payload = {
                    "status": "ok" if healthy else state if state == "starting" else "failed",
                    "state": state,
                }
                self._send_json(200 if healthy else 503, payload)
            elif path == "/status":
                try:
                    self._send_json(200, server.status())
                except duckdb.Error as exc:
                    self._send(*_error(500, "duckdb", str(exc)))
            else:
                self._send(*_error(404, "not_found", "endpoints: POST /query, GET /metrics /health /status"))

        def do_POST(self) -> None:
            split = urlsplit(self.path)
            if not self._authorized(split.path):
                return
            if split.path not in {"/query", "/admin/tables"}:
                self._send(*_error(404, "not_found", "POST /query or /admin/tables only"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(*_error(413, "too_large", f"the SQL text is over {MAX_BODY} bytes"))
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            if split.path == "/admin/tables":
                self._send(*server.tables_admin(body))
                return
            sql, fmt, refused = _query_request(body, split.query, self.headers.get("Content-Type") or "")
            if refused is not None:
                self._send(*refused)
                return
            answer = server.query(sql, fmt, lambda: _client_gone(self.connection))
            if answer[0] == 499:  # nobody to answer
                self.close_connection = True
                return
            self._send(*answer)

        def _send_json(self, status: int, payload: Any) -> None:
            self._send(status, "application/json", json.dumps(payload, default=str).encode("utf-8"))

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
