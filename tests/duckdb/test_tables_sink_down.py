"""`cdc tables` read from the file (no sink runs) never shows a table `running`: it shows `sink-down`."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdc_pipeline.cli.app import app
from cdc_pipeline.sink.duckdb_target import DuckDBTarget

TOPIC = "dbserver1.public.orders"


def test_tables_listed_from_the_file_are_sink_down_and_a_stop_keeps_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:  # a port nobody listens on: no sink runs
        s.bind(("127.0.0.1", 0))
        monkeypatch.setenv("CDC_SINK_HTTP_PORT", str(s.getsockname()[1]))
    state = tmp_path / "state"
    state.mkdir()
    with DuckDBTarget(state / "cdc_pipeline.duckdb") as target:
        target.begin()
        target.write_offsets([(TOPIC, 0, 4)])
        target.mark_table_stopped("public.orders", "bad record at offset 4: no", (TOPIC, 0, 4))
        target.commit()
    runner = CliRunner()
    result = runner.invoke(app, ["--state-dir", str(state), "tables", "--json"])
    assert [t["state"] for t in json.loads(result.output)["tables"]] == ["stopped"], result.output
    skip = ["skip", "public.orders", "--topic", TOPIC, "--partition", "0", "--offset", "4"]
    assert runner.invoke(app, ["--state-dir", str(state), "tables", *skip]).exit_code == 0
    result = runner.invoke(app, ["--state-dir", str(state), "tables", "--json"])
    assert result.exit_code == 0, result.output
    [table] = json.loads(result.output)["tables"]
    assert table["state"] == "sink-down", table  # resumed in the file, but no sink applies it
