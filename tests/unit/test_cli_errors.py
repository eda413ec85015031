"""Every error that reaches the CLI is one line; --debug shows the traceback."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from cdc_pipeline.cli.app import STATE, handles_errors
from cdc_pipeline.errors import CdcError, KafkaUnavailableError, classify

pytestmark = pytest.mark.unit


def _app(error: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handles_errors
    def boom() -> None:
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CdcError("table public.x: broken", "run `cdc tables resume public.x`"), "table public.x: broken"),
        (KeyError("missing\nsecond line"), "unexpected KeyError: 'missing"),
        (RuntimeError("boom"), "this is a bug; run the command again with --debug"),
    ],
)
def test_an_error_is_one_line_without_a_traceback(error: BaseException, expected: str) -> None:
    STATE.debug = False
    result = CliRunner().invoke(_app(error), [])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


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


def test_the_cores_kafka_error_is_classified_by_its_type() -> None:
    kafka_error = type("KafkaError", (RuntimeError,), {"__module__": "cdc_pipeline._core"})
    known = classify(kafka_error("Local: Broker transport failure"))
    assert isinstance(known, KafkaUnavailableError)
    assert "Broker transport failure" in str(known) and "cdc status" in str(known)
    assert classify(RuntimeError("other")) is None
