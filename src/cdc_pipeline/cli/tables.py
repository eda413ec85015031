"""`cdc tables [resume|skip|resnapshot]`: parse, call :mod:`cdc_pipeline.tables`, render (``--json`` too)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from cdc_pipeline import tables
from cdc_pipeline.cli.context import CliContext, ErrorHandler
from cdc_pipeline.sink.tables_admin import ActionReport, TablesReport

out = Console()


class ViaOption(StrEnum):
    auto = "auto"
    postgres = "postgres"
    debezium = "debezium"


AsJson = Annotated[bool, typer.Option("--json", help="print the report as JSON")]
TableArg = Annotated[str, typer.Argument(help="source table as schema.table, e.g. public.users")]


def tables_app(context: CliContext, handles_errors: ErrorHandler) -> typer.Typer:
    app = typer.Typer(
        help="Replicated tables: state, why a table stopped, and the way back.", invoke_without_command=True
    )

    @app.callback()
    @handles_errors
    def list_cmd(ctx: typer.Context, as_json: AsJson = False) -> None:
        """List tables with state, reason, held position and the command that recovers a stopped one."""
        if ctx.invoked_subcommand is not None:
            return
        report = tables.list_tables(context.settings())
        if as_json:
            typer.echo(json.dumps(report.to_json(), indent=2, default=str))
        else:
            _render_tables(report)
        if report.stopped:
            raise typer.Exit(1)

    @app.command("resume")
    @handles_errors
    def resume_cmd(table: TableArg, as_json: AsJson = False) -> None:
        """Apply a stopped table again from the record it is held at (after the cause is fixed)."""
        _render_action(tables.resume(context.settings(), table), as_json)

    @app.command("skip")
    @handles_errors
    def skip_cmd(
        table: TableArg,
        topic: Annotated[str, typer.Option(help="topic of the record to skip")],
        partition: Annotated[int, typer.Option(help="its partition")],
        offset: Annotated[int, typer.Option(help="its offset (the record the table is held at)")],
        as_json: AsJson = False,
    ) -> None:
        """Skip exactly one record a stopped table is held at (recorded in _cdc.skipped), then resume it."""
        _render_action(tables.skip(context.settings(), table, topic, partition, offset), as_json)

    @app.command("resnapshot")
    @handles_errors
    def resnapshot_cmd(
        table: TableArg,
        via: Annotated[
            ViaOption,
            typer.Option(
                help="postgres: the running sink loads the table straight from PostgreSQL (fast; keyed "
                "tables of the types it reads); debezium: Debezium's incremental snapshot through Kafka; "
                "auto: postgres when it can, else debezium (the reason is printed)",
            ),
        ] = "auto",  # type: ignore[assignment]
        as_json: AsJson = False,
    ) -> None:
        """Rebuild one table in DuckDB from a fresh snapshot while the others flow; streaming goes on.

        Exactly once either way: the stream resumes from the table's offsets taken before the snapshot, and
        the changes the snapshot already holds are skipped. A load from PostgreSQL shows rows, rows/s and
        an ETA here and in `cdc status`; the old DuckDB copy serves readers until the load is swapped in."""
        with _LoadBar(enabled=not as_json) as bar:
            report = tables.resnapshot(context.settings(), table, ViaOption(via).value, bar.update)
        _render_action(report, as_json)

    return app


class _LoadBar:
    """A progress bar of a load from PostgreSQL: rows of the estimated total, rows/s, ETA."""

    def __init__(self, enabled: bool) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} rows"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not enabled,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> _LoadBar:
        self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._progress.stop()

    def update(self, load: dict[str, Any]) -> None:
        rows, estimate = int(load.get("rows") or 0), int(load.get("estimated_rows") or 0)
        rate = f"{float(load.get('rows_per_second') or 0):,.0f} rows/s"
        if self._task is None:
            self._task = self._progress.add_task(f"loading {load['table']}", total=None, rate=rate)
        total = max(estimate, rows) or None
        self._progress.update(self._task, completed=rows, total=total, rate=f"{rate} ({load['state']})")


def _render_tables(report: TablesReport) -> None:
    view = Table("table", "state", "reason", "held at", "skipped", "fix")
    for t in report.tables:
        held = f"{t.stopped_topic}[{t.stopped_partition}]@{t.stopped_offset}" if t.stopped_topic else ""
        view.add_row(
            escape(t.source_table),
            t.state,
            escape(t.reason or ""),
            escape(held),
            str(t.records_skipped),
            t.fix,
        )
    out.print(view)


def _render_action(report: ActionReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, default=str))
        return
    where = ", ".join(f"{t} partition {p} offset {o}" for t, p, o in report.resumes_at)
    via = f" (via the {report.via})" if report.via else " (on the DuckDB file; no sink runs)"
    typer.echo(f"{report.done}{via}" + (f"; resumes at {where}" if where else ""))
