"""The applied source position per table is stored with the rows and survives a sink restart."""

from __future__ import annotations

from pathlib import Path

from cdc_pipeline.sink.batch import Column, TableBatch
from cdc_pipeline.sink.duckdb_target import AppliedCounts, DuckDBTarget


def changes(**kw: object) -> TableBatch:
    base: dict[str, object] = {
        "topic": "p.public.log",
        "source_schema": "public",
        "source_table": "log",
        "columns": [Column("seq", "BIGINT")],
        "key_columns": [],
    }
    base.update(kw)
    return TableBatch(**base)  # type: ignore[arg-type]


def test_position_survives_restart_and_a_snapshot_start_resets_it(tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    with DuckDBTarget(path) as target:
        target.begin()
        target.evolve(changes())
        target.record_table(
            changes(last_commit_lsn=624, last_event_lsn=700, last_tx_id=7, counts={"dup": 3}),
            AppliedCounts(1, 0),
        )
        target.record_table(changes(), AppliedCounts(0, 0))  # a batch without streaming events keeps it
        target.commit()
    with DuckDBTarget(path) as target:
        assert target.read_positions() == [("public.log", 624, 700)]
        target.begin()
        target.record_table(changes(snapshot_started=True), AppliedCounts(0, 0))
        target.commit()
        assert target.read_positions() == []
        dup = target.cursor().execute('SELECT duplicates_skipped FROM _cdc."tables"').fetchone()
        assert dup == (3,)
