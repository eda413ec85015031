"""The sink's HTTP endpoint against a DuckDB file that another thread keeps writing, as the sink does.

The writer commits batches that insert rows and advance ``_cdc.offsets`` to the table's row count in the same
transaction, so any snapshot must show the two equal. Reads run on their own cursors while it writes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from cdc_pipeline.observe.endpoint import query_exec
from cdc_pipeline.observe.endpoint.query_exec import QueryLimits
from cdc_pipeline.observe.endpoint.server import ObserveServer
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.stats import AppliedTable, SinkStats
from tests.duckdb.auth import HEADERS, TOKEN
from tests.prometheus_text import sample

LIMITS = QueryLimits(timeout_s=60, max_rows=10_000_000, max_bytes=1 << 30)


CONSISTENT = (
    "SELECT (SELECT count(*) FROM items) AS rows, "
    "(SELECT next_offset FROM _cdc.offsets WHERE topic = 'items') AS offset_"
)


class Writer:
    """Commits a batch of 500 rows plus its offset per transaction until stopped."""

    def __init__(self, target: DuckDBTarget) -> None:
        self.conn = target.cursor()
        self.conn.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, payload VARCHAR)")
        self.commits = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                start = self.commits * 500
                self.conn.begin()
                self.conn.execute(
                    "INSERT INTO items SELECT i, repeat('x', 50) FROM range(?, ?) t(i)", [start, start + 500]
                )
                self.conn.execute(
                    "INSERT INTO _cdc.offsets VALUES ('items', 0, ?) ON CONFLICT DO UPDATE "
                    "SET next_offset = excluded.next_offset",
                    [start + 500],
                )
                self.conn.commit()
                self.commits += 1
        except BaseException as exc:
            self.error = exc


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[ObserveServer, Writer]]:
    target = DuckDBTarget(tmp_path / "replica.duckdb")
    writer = Writer(target)
    stats = SinkStats()
    with ObserveServer(target.cursor, stats, port=0, limits=LIMITS, token=TOKEN) as server:
        writer.thread.start()
        try:
            yield server, writer
        finally:
            writer.stop.set()
            writer.thread.join(timeout=30)
    assert writer.error is None, writer.error
    target.close()


def _post(server: ObserveServer, sql: str, fmt: str = "json") -> httpx.Response:
    return httpx.post(f"{server.url}/query", json={"sql": sql, "format": fmt}, headers=HEADERS, timeout=60)


def _wait_for_commits(writer: Writer, n: int) -> None:
    deadline = threading.Event()
    for _ in range(600):
        if writer.commits >= n or writer.error:
            return
        deadline.wait(0.05)


def test_reads_see_committed_snapshots_while_the_writer_commits(served: tuple[ObserveServer, Writer]) -> None:
    server, writer = served
    _wait_for_commits(writer, 3)
    seen = []
    for _ in range(30):
        body = _post(server, CONSISTENT).json()
        rows, offset = body["rows"][0]
        assert rows == offset, "a read saw rows without their offsets (or the reverse)"
        seen.append(rows)
    assert seen == sorted(seen) and seen[-1] > seen[0], "reads did not follow the writer"


def test_a_long_read_does_not_stall_the_writer(served: tuple[ObserveServer, Writer]) -> None:
    server, writer = served
    _wait_for_commits(writer, 1)
    before = writer.commits
    slow = "SELECT count(*) FROM range(30000000) a, (SELECT 1 FROM items LIMIT 3) b WHERE a.range % 7 = 3"
    response = _post(server, slow)
    assert response.status_code == 200, response.text
    assert writer.commits > before, "the writer made no progress while a read ran"


def test_concurrent_readers_get_consistent_answers(served: tuple[ObserveServer, Writer]) -> None:
    server, writer = served
    _wait_for_commits(writer, 2)
    answers: list[Any] = []

    def read() -> None:
        for _ in range(10):
            answers.append(_post(server, CONSISTENT).json()["rows"][0])

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 40 and all(rows == offset for rows, offset in answers)


def test_writes_are_refused_and_change_nothing(served: tuple[ObserveServer, Writer]) -> None:
    server, writer = served
    writer.stop.set()
    writer.thread.join(timeout=30)
    before = _post(server, "SELECT count(*) FROM items").json()["rows"][0][0]
    for sql in (
        "DELETE FROM items",
        "SELECT 1; DROP TABLE items",
        "CHECKPOINT",
        "UPDATE items SET payload = ''",
    ):
        response = _post(server, sql)
        assert response.status_code == 403, response.text
        assert response.json()["kind"] == "refused"
    assert _post(server, "SELECT count(*) FROM items").json()["rows"][0][0] == before


def test_errors_name_their_kind(served: tuple[ObserveServer, Writer]) -> None:
    server, _ = served
    assert _post(server, "SELECT * FROM nowhere").json()["kind"] == "sql_error"
    assert _post(server, "SELEKT 1").json()["kind"] == "invalid_sql"
    assert httpx.get(f"{server.url}/nothing", headers=HEADERS).status_code == 404


def test_formats_json_csv_and_arrow(served: tuple[ObserveServer, Writer]) -> None:
    server, _ = served
    sql = "SELECT 1::INTEGER AS a, 2.50::DECIMAL(4,2) AS d, NULL::VARCHAR AS n, [1, 2] AS l"
    body = _post(server, sql).json()
    assert body["columns"] == [
        {"name": "a", "type": "INTEGER"},
        {"name": "d", "type": "DECIMAL(4,2)"},
        {"name": "n", "type": "VARCHAR"},
        {"name": "l", "type": "INTEGER[]"},
    ]
    assert body["rows"] == [[1, "2.50", None, [1, 2]]]
    assert _post(server, sql, "csv").text == 'a,d,n,l\n1,2.50,,"[1, 2]"\n'
    arrow = query_exec.from_arrow_stream(_post(server, sql, "arrow").content)
    assert arrow.types == ["INTEGER", "DECIMAL(4,2)", "VARCHAR", "INTEGER[]"]
    assert arrow.table.schema.field("a").type == pa.int32()
    raw = httpx.post(f"{server.url}/query?format=csv", content="SELECT 42 AS answer", headers=HEADERS)
    assert raw.text == "answer\n42\n"


def test_health_metrics_and_status(served: tuple[ObserveServer, Writer]) -> None:
    server, _ = served
    assert httpx.get(f"{server.url}/health").status_code == 503, "starting: not healthy yet"
    server.stats.set_state("running")
    server.stats.record_batch(3, 0.01, [AppliedTable("public.items", {"c": 3}, upserted=3, last_lsn=9)])
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok", "state": "running"}
    metrics = httpx.get(f"{server.url}/metrics", headers=HEADERS)
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert sample(metrics.text, "cdc_events_applied_total", table="public.items", op="create") == 3
    status = httpx.get(f"{server.url}/status", headers=HEADERS).json()
    assert status["events"] == 3 and status["tables"][0]["source_table"] == "public.items"
    server.stats.set_state("failed")
    assert httpx.get(f"{server.url}/health").status_code == 503
