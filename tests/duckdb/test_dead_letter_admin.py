"""The DuckDB side of `cdc dead-letter replay`: a key PostgreSQL no longer holds is deleted only while the
sink's applied position for the table is below PostgreSQL's check; every replay is audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdc_pipeline.sink import tables_admin
from cdc_pipeline.sink.admin import run_action
from cdc_pipeline.sink.duckdb_target import DuckDBTarget


@pytest.fixture()
def target(tmp_path: Path) -> Iterator[DuckDBTarget]:
    with DuckDBTarget(tmp_path / "sink.duckdb") as target:
        conn = target.cursor()
        conn.execute('CREATE TABLE main."orders" ("id" INTEGER PRIMARY KEY, "n" INTEGER)')
        conn.execute('INSERT INTO main."orders" VALUES (1, 1), (2, 2)')
        conn.execute(
            'INSERT INTO _cdc."tables" ("source_table", "target_table", "rows_upserted", "rows_deleted", '
            '"state", "last_commit_lsn", "last_event_lsn") VALUES (\'public.orders\', \'main.orders\', 2, 0, '
            "'running', 1000, 1000)"
        )
        yield target


def record(offset: int, key: int, checked_lsn: int) -> dict[str, object]:
    return {
        "topic": "__cdc-dead-letter.cdc",
        "partition": 0,
        "offset": offset,
        "source_topic": "cdc.public.orders",
        "source_partition": 0,
        "source_offset": 40 + offset,
        "table": "public.orders",
        "reason": "column 'n': expected an integer",
        "key": {"id": key},
        "outcome": "",
        "delete_checked_lsn": checked_lsn,
    }


def outcomes(target: DuckDBTarget, *records: dict[str, object]) -> list[str]:
    action = tables_admin.action_from_request({"action": "dead-letter-replay", "records": list(records)})
    answer = json.loads(run_action(target, action).done)
    return [outcome for _, _, _, outcome in answer["outcomes"]]


def test_a_stale_row_is_deleted_only_below_the_check_position(target: DuckDBTarget) -> None:
    # The sink applied the table up to LSN 1000; PostgreSQL's check ran at 1000: a change at 1000 may be
    # newer than the check, so the row is left alone and the caller is told to check again.
    [refused] = outcomes(target, record(1, 1, 1000))
    assert refused.startswith("not deleted: the sink already applied public.orders up to LSN 1000"), refused
    assert target.cursor().execute('SELECT count(*) FROM main."orders" WHERE "id" = 1').fetchone() == (1,)

    [deleted, absent] = outcomes(target, record(1, 1, 1001), record(2, 3, 1001))
    assert deleted == "the row is not in PostgreSQL any more: deleted by key from DuckDB"
    assert absent == "the row is in neither PostgreSQL nor DuckDB: nothing to do"
    assert target.cursor().execute('SELECT "id" FROM main."orders"').fetchall() == [(2,)]

    audit = (
        target.cursor()
        .execute(
            'SELECT "offset", "source_offset", "row_key", "outcome" FROM _cdc."dead_letter" '
            'ORDER BY "replayed_at", "offset"'
        )
        .fetchall()
    )
    assert [(o, s, k) for o, s, k, _ in audit] == [
        (1, 41, '{"id": 1}'),
        (1, 41, '{"id": 1}'),
        (2, 42, '{"id": 3}'),
    ]
    assert audit[0][3] == refused and audit[1][3] == deleted


def test_the_list_shows_each_records_latest_replay(target: DuckDBTarget) -> None:
    outcomes(target, record(1, 1, 1000))
    outcomes(target, record(1, 1, 1001))
    action = tables_admin.action_from_request({"action": "dead-letter-replayed"})
    [[topic, partition, offset, outcome, at]] = json.loads(run_action(target, action).done)
    assert (topic, partition, offset) == ("__cdc-dead-letter.cdc", 0, 1)
    assert outcome.startswith("the row is not in PostgreSQL any more") and at
