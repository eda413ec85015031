"""`cdc query` against a DuckDB file: through the sink's endpoint when it answers, else read-only."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from typer.testing import CliRunner

from cdc_pipeline.cli.app import app
from cdc_pipeline.observe.endpoint.query_exec import QueryLimits
from cdc_pipeline.observe.endpoint.server import ObserveServer
from cdc_pipeline.observe.endpoint.token import EndpointToken, ensure_token, token_path
from cdc_pipeline.sink.duckdb_target import DuckDBTarget
from cdc_pipeline.sink.stats import SinkStats

LIMITS = QueryLimits(timeout_s=60, max_rows=10_000_000, max_bytes=1 << 30)

runner = CliRunner()


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def state_dir(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    state.mkdir()
    with DuckDBTarget(state / "cdc_pipeline.duckdb") as target:
        cursor = target.cursor()
        cursor.execute("CREATE TABLE users (id INTEGER, name VARCHAR, balance DECIMAL(10,2))")
        cursor.execute("INSERT INTO users VALUES (1, 'ada', 10.50), (2, 'bob', NULL)")
    return state


@pytest.fixture()
def no_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDC_SINK_HTTP_PORT", str(_unused_port()))


@pytest.fixture()
def sink_endpoint(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ObserveServer]:
    with (
        DuckDBTarget(state_dir / "cdc_pipeline.duckdb") as target,
        ObserveServer(target.cursor, SinkStats(), port=0, limits=LIMITS, token=_token(state_dir)) as server,
    ):
        monkeypatch.setenv("CDC_SINK_HTTP_PORT", str(server.port))
        yield server


def _token(state_dir: Path) -> EndpointToken:
    """The token file the sink writes in its state dir, which the CLI reads."""
    path = token_path(state_dir)
    return EndpointToken(ensure_token(path), path)


def cdc(state_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--state-dir", str(state_dir), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("no_sink")
def test_without_a_sink_the_file_is_read_read_only(state_dir: Path) -> None:
    code, out, err = cdc(state_dir, "query", "SELECT id, name FROM users ORDER BY id", "--format", "csv")
    assert code == 0, err
    assert out == "id,name\n1,ada\n2,bob\n"


@pytest.mark.usefixtures("sink_endpoint")
def test_with_a_sink_the_endpoint_answers_while_the_file_is_locked(state_dir: Path) -> None:
    code, out, err = cdc(
        state_dir, "query", "SELECT name, balance FROM users ORDER BY id", "--format", "json"
    )
    assert code == 0, err
    body = json.loads(out)
    assert body["rows"] == [["ada", "10.50"], ["bob", None]]
    assert body["columns"][1] == {"name": "balance", "type": "DECIMAL(10,2)"}


@pytest.mark.usefixtures("sink_endpoint")
def test_parquet_output_is_written_client_side(state_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "users.parquet"
    code, _, err = cdc(state_dir, "query", "SELECT * FROM users ORDER BY id", "--output", str(target))
    assert code == 0, err
    assert "wrote 2 rows" in err
    assert pq.read_table(target).to_pylist()[0]["name"] == "ada"


@pytest.mark.usefixtures("sink_endpoint")
def test_a_write_is_refused_with_one_clear_line(state_dir: Path) -> None:
    code, _, err = cdc(state_dir, "query", "DELETE FROM users")
    assert code == 1
    assert "DELETE statements are refused" in err


@pytest.mark.usefixtures("no_sink")
def test_table_output_and_sql_errors(state_dir: Path) -> None:
    code, out, _ = cdc(state_dir, "query", "SELECT * FROM users ORDER BY id")
    assert code == 0 and "ada" in out and "DECIMAL(10,2)" in out
    code, _, err = cdc(state_dir, "query", "SELECT * FROM nowhere")
    assert code == 1 and "nowhere" in err


@pytest.mark.usefixtures("no_sink")
def test_a_missing_file_says_what_to_do(tmp_path: Path) -> None:
    code, _, err = cdc(tmp_path / "empty", "query", "SELECT 1")
    assert code == 1
    assert "no DuckDB file" in err and "cdc sink" in err
