"""`cdc tables` with no sink running: it opens the DuckDB file itself, says what it did, exits 1 on a stop."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdc_pipeline.cli.app import app
from cdc_pipeline.sink.duckdb_target import DuckDBTarget

runner = CliRunner()
TOPIC = "dbserver1.public.orders"


@pytest.fixture()
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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
    return state


def cdc(state_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--state-dir", str(state_dir), "tables", *args])
    return result.exit_code, result.output


def test_list_shows_the_stop_and_its_fix_then_skip_resumes(state_dir: Path) -> None:
    code, output = cdc(state_dir, "--json")
    assert code == 1, output
    [table] = json.loads(output)["tables"]
    assert table["state"] == "stopped" and table["stopped_offset"] == 4
    assert table["fix"] == f"cdc tables skip public.orders --topic {TOPIC} --partition 0 --offset 4"

    code, output = cdc(
        state_dir, "skip", "public.orders", "--topic", TOPIC, "--partition", "0", "--offset", "4"
    )
    assert code == 0, output
    assert f"skipped topic {TOPIC} partition 0 offset 4 of public.orders and resumed it" in output
    assert "on the DuckDB file" in output and f"resumes at {TOPIC} partition 0 offset 5" in output

    code, output = cdc(state_dir, "--json")
    assert code == 0 and json.loads(output)["tables"][0]["records_skipped"] == 1, output


def test_a_refused_action_says_why_and_what_to_run(state_dir: Path) -> None:
    code, output = cdc(
        state_dir, "skip", "public.orders", "--topic", TOPIC, "--partition", "0", "--offset", "9"
    )
    assert code != 0
    assert "held at topic" in output and "cdc tables skip public.orders" in output, output
