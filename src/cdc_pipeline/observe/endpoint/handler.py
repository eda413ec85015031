"""One HTTP request to the sink's endpoint (:mod:`.server`): the token check, then the route's answer.

Every path but ``/health`` needs the token (401 and nothing else without it); a client that went away before
its answer costs one INFO line.
"""

from __future__ import annotations

import json
import logging
import select
import socket
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import duckdb
from cdc_pipeline.observe.endpoint import query_exec
from cdc_pipeline.observe.endpoint.token import authorized
from cdc_pipeline.sink.sink_metrics import METRICS_CONTENT_TYPE

if TYPE_CHECKING:
    from cdc_pipeline.observe.endpoint.server import ObserveServer

log = logging.getLogger("cdc_pipeline.observe")

OPEN_PATHS = frozenset({"/health"})  # everything else needs the token
MAX_BODY = 1 << 20  # 1 MiB of SQL is plenty; refuse more instead of reading it
GONE = (BrokenPipeError, ConnectionResetError)  # the client closed its socket before the answer


class EndpointHandler(BaseHTTPRequestHandler):
    """Serves one connection; ``endpoint`` is set on the subclass each :class:`ObserveServer` makes."""

    endpoint: ObserveServer
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
        token = self.endpoint.token
        if path in OPEN_PATHS or authorized(self.headers.get("Authorization"), token.value):
            return True
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)  # drain, so the client reads our answer instead of a reset
        log.info("refused a request for %s from %s without the right token", path, self.client_address[0])
        status, content_type, body = error(401, "unauthorized", token.unauthorized_message())
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
            self._send(200, METRICS_CONTENT_TYPE, self.endpoint.stats.metrics_text())
        elif path == "/health":
            self._health()
        elif path == "/status":
            try:
                self._send_json(200, self.endpoint.status())
            except duckdb.Error as exc:
                self._send(*error(500, "duckdb", str(exc)))
        else:
            self._send(*error(404, "not_found", "endpoints: POST /query, GET /metrics /health /status"))

    def _health(self) -> None:
        """Healthy only once the loop has run a turn (Kafka reached, offsets read, first batch applied or none
        waiting): `cdc up` must not call a sink healthy that dies on its first batch."""
        state = self.endpoint.stats.state
        healthy = state not in {"failed", "starting"}
        status = "ok" if healthy else state if state == "starting" else "failed"
        self._send_json(200 if healthy else 503, {"status": status, "state": state})

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        if not self._authorized(split.path):
            return
        if split.path not in {"/query", "/admin/tables"}:
            self._send(*error(404, "not_found", "POST /query or /admin/tables only"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(*error(413, "too_large", f"the SQL text is over {MAX_BODY} bytes"))
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        if split.path == "/admin/tables":
            self._send(*self.endpoint.tables_admin(body))
            return
        sql, fmt, refused = _query_request(body, split.query, self.headers.get("Content-Type") or "")
        if refused is not None:
            self._send(*refused)
            return
        answer = self.endpoint.query(sql, fmt, lambda: _client_gone(self.connection))
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


def error(status: int, kind: str, message: str) -> tuple[int, str, bytes]:
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
            return "", "", error(400, "bad_request", 'expected JSON {"sql": "...", "format": "json"}')
    if fmt not in query_exec.FORMATS:
        return "", "", error(400, "bad_request", f"format must be one of {', '.join(query_exec.FORMATS)}")
    return sql, fmt, None


def _client_gone(connection: socket.socket) -> bool:
    """Has the client closed its end? (A readable socket with nothing to read is a closed one.)"""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True
