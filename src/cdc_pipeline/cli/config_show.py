"""`cdc config show`: the effective settings, secrets masked, with the source of each value."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cdc_pipeline.cli.context import CliContext, ErrorHandler
from cdc_pipeline.config.loading import load_settings
from cdc_pipeline.config.report import ConfigReport, config_report

out = Console()


def config_app(context: CliContext, handles_errors: ErrorHandler) -> typer.Typer:
    app = typer.Typer(help="The effective configuration.", no_args_is_help=True)

    @app.command()
    @handles_errors
    def show(
        as_json: Annotated[bool, typer.Option("--json", help="print the settings as JSON")] = False,
    ) -> None:
        """Every setting: its value (secrets masked) and where it came from (file, env, flag or default)."""
        report = config_report(load_settings(context.project_dir, context.overrides))
        if as_json:
            typer.echo(json.dumps(report.to_json(), indent=2))
        else:
            render(report)

    return app


def render(report: ConfigReport) -> None:
    table = Table(title="cdc configuration (defaults < cdc.yaml < .env < .credentials < CDC_* env < flags)")
    table.add_column("key", style="bold")
    table.add_column("value", overflow="fold")
    table.add_column("source", style="dim", overflow="fold")
    for row in report.rows:
        table.add_row(escape(row.key), escape(row.value), escape(row.source))
    out.print(table)
