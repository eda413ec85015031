"""`cdc connectors plan | apply | status | restart | delete`: parse, call, render (``--json`` for scripts)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cdc_pipeline import tables
from cdc_pipeline.cli.context import CliContext, ErrorHandler
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import ApplyReport, apply_connector
from cdc_pipeline.connectors.connect_client import ConnectorState
from cdc_pipeline.connectors.lifecycle import (
    ConnectorStatus,
    DeleteReport,
    RestartReport,
    connector_status,
    delete_connector,
    restart_connector,
    slot_names,
)
from cdc_pipeline.connectors.plan import PlanReport, plan
from cdc_pipeline.connectors.preflight import Problem

out = Console()
err = Console(stderr=True)

Name = Annotated[str | None, typer.Option("--name", help="connector name [default: connector_name setting]")]
AsJson = Annotated[bool, typer.Option("--json", help="print the report as JSON")]


def connectors_app(context: CliContext, handles_errors: ErrorHandler) -> typer.Typer:
    app = typer.Typer(help="The Debezium connector, generated from the settings.", no_args_is_help=True)

    def settings(name: str | None) -> Settings:
        if name:
            context.overrides["connector_name"] = name
        return context.settings()

    _inspect_commands(app, settings, handles_errors)
    _change_commands(app, settings, handles_errors)
    return app


SettingsOf = Callable[[str | None], Settings]


def _inspect_commands(app: typer.Typer, settings: SettingsOf, handles_errors: ErrorHandler) -> None:
    """`plan` and `status`: they read, never change anything."""

    @app.command("plan")
    @handles_errors
    def plan_cmd(name: Name = None, as_json: AsJson = False) -> None:
        """The connector JSON apply would send (secrets masked), its diff against Connect, and preflight."""
        report = plan(settings(name))
        _emit(report.to_json(), as_json, lambda: _render_plan(report))
        if not report.ok:
            raise typer.Exit(1)

    @app.command("status")
    @handles_errors
    def status_cmd(name: Name = None, as_json: AsJson = False) -> None:
        """Connector and task states, a failed task's trace, the replication slot. Exit 1 unless RUNNING."""
        report = connector_status(settings(name))
        _emit(report.to_json(), as_json, lambda: _render_status(report))
        if not report.running:
            raise typer.Exit(1)


def _change_commands(app: typer.Typer, settings: SettingsOf, handles_errors: ErrorHandler) -> None:
    """`apply`, `restart` and `delete`: they change the connector."""

    @app.command("apply")
    @handles_errors
    def apply_cmd(
        name: Name = None,
        as_json: AsJson = False,
        timeout: Annotated[float, typer.Option(help="seconds to wait for RUNNING")] = 90.0,
    ) -> None:
        """Preflight, then create or update the connector (idempotent); added tables get their rows.

        An added table is loaded straight from PostgreSQL by the running sink when it can be (keyed, of the
        types the load reads: see `cdc tables resnapshot --help`), else Debezium snapshots it incrementally.

        A connector that is created, or registered but not running, first has its stored offset checked
        against its replication slot: it resumes exactly ("resumed at LSN X"), or the offset (and a stale
        slot) is cleared and it takes a fresh snapshot ("re-snapshot: slot cdc_x was dropped")."""
        chosen = settings(name)
        report = apply_connector(
            chosen, timeout_s=timeout, load_added=lambda t: tables.load_tables(chosen, t)
        )
        _emit(report.to_json(), as_json, lambda: _render_apply(report))

    @app.command("restart")
    @handles_errors
    def restart_cmd(
        name: Name = None,
        all_tasks: Annotated[bool, typer.Option("--all", help="restart the connector and all tasks")] = False,
        as_json: AsJson = False,
    ) -> None:
        """Restart failed tasks (all with --all) and wait until the connector runs again."""
        report = restart_connector(settings(name), all_tasks=all_tasks)
        _emit(report.to_json(), as_json, lambda: _render_restart(report))

    @app.command("delete")
    @handles_errors
    def delete_cmd(
        name: Name = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask (drops the slot too)")] = False,
        keep_slot: Annotated[
            bool, typer.Option(help="keep the replication slot and publication (WAL is kept for them)")
        ] = False,
        as_json: AsJson = False,
    ) -> None:
        """Delete the connector and, unless --keep-slot, its stored offsets, replication slot and publication.

        Then `cdc connectors apply` takes a fresh snapshot; with --keep-slot it resumes where it stopped."""
        current = settings(name)
        report = delete_connector(current, drop_slot=_confirm_delete(current, yes, keep_slot))
        _emit(report.to_json(), as_json, lambda: _render_delete(report))
        if not report.ok:
            raise typer.Exit(1)


def _confirm_delete(settings: Settings, yes: bool, keep_slot: bool) -> bool:
    """Ask before deleting (unless --yes); whether the slot and publication go too."""
    slot, publication = slot_names(settings)
    if not yes:
        typer.confirm(f"Delete connector {settings.connector_name}?", abort=True)
    return not keep_slot and (
        yes
        or typer.confirm(
            f"Also drop replication slot {slot} and publication {publication}? "
            "(a kept slot makes PostgreSQL keep WAL for it)",
            default=True,
        )
    )


def _emit(data: dict[str, Any], as_json: bool, render: Callable[[], None]) -> None:
    """JSON goes out unstyled and unwrapped, so scripts can parse it."""
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        render()


def _state_line(state: ConnectorState | None) -> str:
    if state is None:
        return "not registered"
    tasks = ", ".join(f"task {t.id} {t.state}" for t in state.tasks) or "no tasks"
    return f"{state.state} ({tasks})"


def _render_problems(problems: list[Problem]) -> None:
    for p in problems:
        label = "[red]blocking[/]" if p.blocking else "[yellow]warning[/]"
        out.print(f"{label} {escape(p.message)}\n    fix: {escape(p.fix)}", highlight=False)


def _render_plan(report: PlanReport) -> None:
    out.print_json(json.dumps(report.config))
    out.print(f"connector {report.connector}: [bold]{report.action}[/]", highlight=False)
    if report.changes:
        table = Table(title="changes against Kafka Connect")
        for column in ("key", "current", "planned"):
            table.add_column(column, overflow="fold")
        for c in report.changes:
            table.add_row(escape(c.key), escape(c.current or "(absent)"), escape(c.planned or "(removed)"))
        out.print(table)
    if report.snapshot_tables:
        out.print(
            f"added tables: {', '.join(report.snapshot_tables)} (loaded from PostgreSQL by the running sink "
            "where it can, else Debezium's incremental snapshot)",
            highlight=False,
        )
    if report.position:
        out.print(f"not running; `cdc connectors apply` would {escape(report.position)}", highlight=False)
    _render_problems(report.problems)
    if not report.problems:
        out.print("[green]preflight: ok[/]")


def _render_apply(report: ApplyReport) -> None:
    out.print(f"connector {report.connector} {report.action}: {_state_line(report.state)}", highlight=False)
    if report.position is not None:
        out.print(f"{report.connector} {escape(report.position.line())}", highlight=False)
    if report.loaded_tables:
        out.print(f"loaded from PostgreSQL: {', '.join(report.loaded_tables)}", highlight=False)
    if report.snapshot_tables:
        out.print(
            f"incremental snapshot requested for {', '.join(report.snapshot_tables)} "
            f"(signal {report.signal_id})",
            highlight=False,
        )
    for warning in report.warnings:
        out.print(f"[yellow]warning[/] {escape(warning)}", highlight=False)


def _render_status(report: ConnectorStatus) -> None:
    color = "green" if report.running else "red"
    out.print(f"connector {report.connector}: [{color}]{_state_line(report.state)}[/]", highlight=False)
    if report.state is not None:
        for task in report.state.tasks:
            if task.trace:
                out.print(f"[red]task {task.id} trace:[/]\n{escape(task.trace)}", highlight=False)
        if any(t.state == "FAILED" for t in report.state.tasks) or report.state.state == "FAILED":
            out.print(
                "fix the cause, then `cdc connectors restart`: it resumes at the stored offset, or "
                "re-snapshots when the replication slot no longer holds it",
                highlight=False,
            )
        if report.state.trace:
            out.print(f"[red]connector trace:[/]\n{escape(report.state.trace)}", highlight=False)
    if report.slot is not None:
        wal = report.slot.retained_wal_bytes
        retained = f", retains {wal / 1048576:.1f} MiB of WAL" if wal is not None else ""
        active = "active" if report.slot.active else "inactive"
        out.print(f"replication slot {report.slot.name}: {active}{retained}", highlight=False)
        if report.state is None:
            out.print("[yellow]the slot outlived its connector[/]: drop it with `cdc connectors delete`")
    elif report.slot_error:
        out.print(f"replication slot: unknown ({escape(report.slot_error)})", highlight=False)


def _render_restart(report: RestartReport) -> None:
    if not report.restarted:
        out.print(f"nothing to restart: connector {report.connector} is {_state_line(report.state)}")
        return
    out.print(
        f"restarted {', '.join(report.restarted)} of {report.connector}: {_state_line(report.state)}",
        highlight=False,
    )
    if report.position is not None:
        out.print(f"{report.connector} {escape(report.position.line())}", highlight=False)


def _render_delete(report: DeleteReport) -> None:
    out.print(
        f"connector {report.connector}: {'deleted' if report.deleted else 'was not registered'}; "
        f"stored offsets: {'cleared' if report.offsets_cleared else 'kept'}; "
        f"slot {report.slot}: {report.slot_result}; publication {report.publication}: "
        f"{report.publication_result}",
        highlight=False,
    )
    if not report.ok:
        err.print(
            f"[red]slot {report.slot} is still in use by pid {report.active_pid}[/]: stop its consumer, or "
            f"`SELECT pg_terminate_backend({report.active_pid});` then `cdc connectors delete` again",
            highlight=False,
        )
