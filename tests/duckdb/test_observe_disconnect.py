"""A client that disconnects in the middle of a `/query` answer costs one log line, never a traceback."""

from __future__ import annotations

import logging
import socket
import struct
import time
from pathlib import Path

import httpx
import pytest

from cdc_pipeline.observe.endpoint.query_exec import QueryLimits
from cdc_pipeline.observe.endpoint.server import ObserveServer
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.stats import SinkStats
from tests.duckdb.auth import HEADERS, TOKEN

LIMITS = QueryLimits(timeout_s=60, max_rows=10_000_000, max_bytes=1 << 30)


BIG = "SELECT i, repeat('x', 1000) AS payload FROM range(40000) t(i)"  # about 40 MB of JSON


def _hang_up_mid_answer(port: int) -> int:
    """Send the query, read the first bytes of the answer, then reset the connection (RST, no FIN)."""
    body = BIG.encode()
    request = (
        f"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        f"Authorization: {HEADERS['Authorization']}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(request)
        first = sock.recv(1024)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return len(first)


def test_a_client_hanging_up_mid_answer_logs_one_line_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cdc_pipeline.observe")
    target = DuckDBTarget(tmp_path / "replica.duckdb")
    try:
        with ObserveServer(target.cursor, SinkStats(), port=0, limits=LIMITS, token=TOKEN) as server:
            assert _hang_up_mid_answer(server.port) > 0
            deadline = time.monotonic() + 30
            while "went away" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.1)
            # the endpoint still answers the next client
            assert httpx.get(f"{server.url}/health", timeout=10).status_code in {200, 503}
    finally:
        target.close()
    stderr = capsys.readouterr().err
    gone = [r.getMessage() for r in caplog.records if "went away" in r.getMessage()]
    assert "Traceback" not in stderr and "Traceback" not in caplog.text, stderr + caplog.text
    assert "Exception occurred during processing" not in stderr, stderr
    assert len(gone) == 1, gone
    assert "BrokenPipeError" in gone[0] or "ConnectionResetError" in gone[0], gone
