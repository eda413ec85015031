"""The `cdc` command: parse, call a function that returns a value, render it.

Errors the package raises on purpose (:class:`CdcError`) print as one line on stderr with exit code 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from cdc_pipeline.cli.config_show import config_app
from cdc_pipeline.cli.connectors import connectors_app
from cdc_pipeline.cli.dead_letter import dead_letter_app
from cdc_pipeline.cli.query_verify import register as register_observe_commands
from cdc_pipeline.cli.status import status_view
from cdc_pipeline.cli.status import watch as watch_status
from cdc_pipeline.cli.tables import tables_app
from cdc_pipeline.config.loading import load_settings
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector, wait_all_running
from cdc_pipeline.connectors.model import pipeline_tables, tables_from_connector_json
from cdc_pipeline.errors import CdcError, classify, is_core_kafka_error
from cdc_pipeline.observe.status.report import StatusReport, collect_status
from cdc_pipeline.sample import load_sql_file
from cdc_pipeline.stack import stack

app = typer.Typer(
    help="Change data capture: PostgreSQL -> Debezium (Kafka Connect) -> Kafka -> DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliState:
    project_dir: Path
    overrides: dict[str, Any]
    debug: bool

    def settings(self) -> Settings:
        return load_settings(self.project_dir, self.overrides).settings


STATE = CliState(project_dir=Path.cwd(), overrides={}, debug=False)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Every error is one line on stderr and exit code 1 (the traceback only with --debug): a CdcError as it
    is, an exception from a library at the edge classified (:func:`~cdc_pipeline.errors.classify`), anything
    else as a bug. Ctrl-C exits 130 quietly; typer.Exit and SystemExit pass through."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except CdcError as exc:
            if STATE.debug:
                raise
            _error_line(str(exc))
            raise typer.Exit(1) from None
        except Exception as exc:
            if STATE.debug:
                raise
            known = classify(exc, _bootstrap_servers() if is_core_kafka_error(exc) else None)
            first = (str(exc).strip().splitlines() or [""])[0]
            _error_line(
                str(known)
                if known is not None
                else f"unexpected {type(exc).__name__}: {first} (this is a bug; run again with --debug for "
                "the traceback)"
            )
            raise typer.Exit(1) from None

    return wrapper


def _bootstrap_servers() -> str | None:
    """The brokers the failed command used, to name them in its Kafka error (None if the settings fail)."""
    try:
        return STATE.settings().bootstrap_servers
    except Exception:  # the settings themselves are broken: name no brokers
        return None


def _error_line(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


@app.callback()
def main(
    project_dir: Annotated[
        Path, typer.Option(help="directory holding cdc.yaml, .env, .credentials and examples/")
    ] = Path(),
    state_dir: Annotated[
        Path | None, typer.Option(help="where the stack keeps data, logs and pid files [default: .cdc]")
    ] = None,
    debug: Annotated[bool, typer.Option(help="show tracebacks")] = False,
) -> None:
    STATE.project_dir = project_dir.resolve()
    STATE.overrides = {"state_dir": state_dir}
    STATE.debug = debug


app.add_typer(connectors_app(STATE, handles_errors), name="connectors")
app.add_typer(config_app(STATE, handles_errors), name="config")
app.add_typer(tables_app(STATE, handles_errors), name="tables")
app.add_typer(dead_letter_app(STATE, handles_errors), name="dead-letter")
register_observe_commands(app, STATE, handles_errors)


def _register_bench() -> None:
    """`cdc bench` comes from the benchmark harness (bench/cdc_bench), present in a development checkout."""
    try:
        from cdc_bench.cli import bench_app  # noqa: PLC0415 (optional: not part of the product package)
    except ModuleNotFoundError:
        return
    app.add_typer(bench_app(STATE, handles_errors), name="bench")


_register_bench()


@app.command()
@handles_errors
def up(
    sample: Annotated[
        bool, typer.Option(help="load examples/init_data.sql and register its connector")
    ] = False,
    tables: Annotated[
        Path | None, typer.Option(help="table list to capture [default: examples/connector_config.json]")
    ] = None,
) -> None:
    """Start PostgreSQL, Kafka and Kafka Connect (idempotent: running components are left alone)."""
    settings = STATE.settings()
    stack.up(
        settings,
        progress=lambda msg: err.print(f"[dim]•[/] {escape(msg)}", highlight=False),
        project_dir=STATE.project_dir,
    )
    if sample:
        examples = STATE.project_dir / "examples"
        err.print("[dim]•[/] loading the sample (users, orders) into PostgreSQL", highlight=False)
        load_sql_file(settings, examples / "init_data.sql")
        table_list = tables_from_connector_json(tables) if tables else pipeline_tables(settings)
        table_list = table_list or tables_from_connector_json(examples / "connector_config.json")
        err.print(f"[dim]•[/] registering connector {settings.connector_name}", highlight=False)
        applied = apply_connector(settings, table_list)
        if applied.position is not None:
            err.print(f"[dim]•[/] {escape(applied.position.line())}", highlight=False)
    else:
        wait_all_running(settings)
    _render_status(collect_status(settings))


@app.command()
@handles_errors
def down() -> None:
    """Stop the processes this project started (by their pid files); data is kept."""
    report = stack.down(STATE.settings())
    for component in report:
        out.print(f"{component.name}: {component.state}", highlight=False)


@app.command()
@handles_errors
def status(
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    watch: Annotated[
        bool, typer.Option(help="refresh until Ctrl-C (with --json: one line each time)")
    ] = False,
    interval: Annotated[float, typer.Option(help="seconds between refreshes with --watch")] = 2.0,
) -> None:
    """Components, connectors, the sink and each replicated table. Exit code 1 unless all components run."""
    settings = STATE.settings()
    if watch:
        watch_status(lambda: collect_status(settings), max(interval, 0.1), out, as_json)
        return
    report = collect_status(settings)
    if as_json:
        out.print_json(json.dumps(report.to_json()))
    else:
        _render_status(report)
    if not report.all_running:
        raise typer.Exit(1)


@app.command()
@handles_errors
def sink(
    max_events: Annotated[int | None, typer.Option(help="most events per DuckDB transaction")] = None,
    max_wait_ms: Annotated[int | None, typer.Option(help="longest wait once a batch has events")] = None,
    on_error: Annotated[
        str | None,
        typer.Option(help="a table's change cannot be applied: stop-table | dead-letter | stop-sink"),
    ] = None,
) -> None:
    """Run the DuckDB sink in the foreground until Ctrl-C / SIGTERM (`cdc up` also starts it)."""
    from cdc_pipeline.sink_process import (  # noqa: PLC0415 (keeps duckdb out of other commands)
        configure_logging,
        run_sink,
    )

    STATE.overrides.update(sink_max_events=max_events, sink_max_wait_ms=max_wait_ms, sink_on_error=on_error)
    settings = STATE.settings()
    configure_logging()
    run_sink(settings)


def _render_status(report: StatusReport) -> None:
    out.print(status_view(report))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
