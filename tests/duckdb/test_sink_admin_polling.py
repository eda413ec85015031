"""Polling `cdc tables` (or anything that lists through the sink) never slows the sink down.

A listing runs in the loop thread between batches, like every admin request. Only a request that moves a
table's state or an offset makes the loop re-seek every partition to DuckDB's offsets; a listing does not,
or a client polling every 0.2 s would throw away what the consumer had fetched at every turn (a CI run saw
a new table take more than 90 s to be applied while a test polled the table list).
"""

from __future__ import annotations

import threading
from pathlib import Path

from cdc_pipeline.sink import tables_admin
from cdc_pipeline.sink.admin import AdminQueue
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.loop import run
from tests.duckdb.log_source import TOPIC, LogSource, user

REQUESTS = 8


def run_while_polled(tmp_path: Path, *, moves_tables: bool) -> LogSource:
    """Apply 40 one-record batches while another thread submits REQUESTS listings, one after another."""
    source = LogSource([user(i) for i in range(40)], per_batch=1)
    queue = AdminQueue()
    answered: list[tables_admin.TablesReport] = []

    def poll() -> None:
        for _ in range(REQUESTS):
            answered.append(queue.submit(tables_admin.list_tables(), timeout_s=30, moves_tables=moves_tables))

    poller = threading.Thread(target=poll)
    turns = [0]

    def done() -> bool:
        turns[0] += 1
        if turns[0] == 2:
            poller.start()  # from the second turn on, while batches are applied
        drained = source.position >= len(source.records) and len(answered) == REQUESTS
        return drained or turns[0] > 2_000

    with DuckDBTarget(tmp_path / "replica.duckdb") as target:
        run(source, target, done, admin=queue)  # type: ignore[arg-type]
        poller.join(30)
        assert len(answered) == REQUESTS, "every listing was answered"
        assert all(t.source_table == "public.users" for r in answered[1:] for t in r.tables)
        assert target.read_offsets() == {(TOPIC, 0): 40}
    return source


def test_listing_tables_through_the_sink_does_not_re_seek_the_source(tmp_path: Path) -> None:
    source = run_while_polled(tmp_path, moves_tables=False)
    assert source.starts == [0], "only the start seeks the partitions"


def test_a_request_that_moves_tables_makes_the_loop_re_read_its_offsets(tmp_path: Path) -> None:
    source = run_while_polled(tmp_path, moves_tables=True)
    assert len(source.starts) == 1 + REQUESTS, "each such request: one re-seek to DuckDB's offsets"


def test_the_endpoint_marks_only_listings_as_read_only() -> None:
    assert not tables_admin.moves_tables({"action": "list"})
    assert not tables_admin.moves_tables({"action": "dead-letter-replayed"})
    for action in ("resume", "skip", "resnapshot", "dead-letter-replay"):
        assert tables_admin.moves_tables({"action": action})
