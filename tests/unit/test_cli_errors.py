"""Every error that reaches the CLI is one line; --debug shows the traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cdc_pipeline.cli.app import STATE, handles_errors
from cdc_pipeline.errors import CdcError, KafkaUnavailableError, classify

# The C++ core's exception, as the extension defines it (module and name are how it is recognised).
CoreKafkaError = type("KafkaError", (RuntimeError,), {"__module__": "cdc_pipeline._core"})


def _app(error: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handles_errors
    def boom() -> None:
        raise error

    return app


def _one_line(result: object) -> str:
    stderr = getattr(result, "stderr", "")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr + getattr(result, "stdout", "")
    return lines[0]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CdcError("table public.x: broken", "run `cdc tables resume public.x`"), "table public.x: broken"),
        (
            ValueError("first line\nsecond line"),
            "unexpected ValueError: first line (this is a bug; run again with --debug for the traceback)",
        ),
        (KeyError("missing"), "unexpected KeyError: 'missing' (this is a bug;"),
        (
            RuntimeError("boom"),
            "unexpected RuntimeError: boom (this is a bug; run again with --debug for the traceback)",
        ),
    ],
)
def test_an_error_is_one_line_without_a_traceback(error: BaseException, expected: str) -> None:
    STATE.debug = False
    result = CliRunner().invoke(_app(error), [])
    assert result.exit_code == 1
    line = _one_line(result)
    assert line.startswith("error: ") and expected in line


def test_debug_shows_the_traceback() -> None:
    STATE.debug = True
    try:
        result = CliRunner().invoke(_app(RuntimeError("boom")), [])
    finally:
        STATE.debug = False
    assert isinstance(result.exception, RuntimeError)


def test_ctrl_c_exits_130_quietly() -> None:
    STATE.debug = False
    result = CliRunner().invoke(_app(KeyboardInterrupt()), [])
    assert result.exit_code == 130 and "Traceback" not in result.stderr


def test_exit_passes_through_with_its_code() -> None:
    STATE.debug = False
    result = CliRunner().invoke(_app(typer.Exit(3)), [])
    assert result.exit_code == 3 and result.stderr == ""


def test_the_cores_kafka_error_is_classified_by_its_type() -> None:
    known = classify(CoreKafkaError("Local: Broker transport failure"), "127.0.0.1:19092")
    assert isinstance(known, KafkaUnavailableError)
    assert str(known).startswith("Kafka at 127.0.0.1:19092: Local: Broker transport failure")
    assert "cdc status" in str(known) and "cdc up" in str(known)
    assert classify(RuntimeError("other")) is None


def test_a_kafka_error_reaching_the_cli_names_the_brokers_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KAFKA_PORT=29092\n")
    STATE.debug, STATE.project_dir, STATE.overrides = False, tmp_path, {}
    try:
        result = CliRunner().invoke(_app(CoreKafkaError("Local: Timed out\ndetail")), [])
    finally:
        STATE.project_dir = Path.cwd()
    assert result.exit_code == 1
    line = _one_line(result)
    assert line.startswith("error: Kafka at 127.0.0.1:29092: Local: Timed out")
    assert "`cdc status`" in line and "`cdc up`" in line and "bug" not in line


def test_a_hint_ending_in_a_question_gets_no_extra_full_stop() -> None:
    assert str(CdcError("x: unknown setting Y", "did you mean Z?")) == "x: unknown setting Y. did you mean Z?"
    assert str(CdcError("what", "do this")) == "what. do this."
