"""`cdc query` and `cdc verify`: parse, call :mod:`cdc_pipeline.observe`, render (``--json`` for scripts).

Registered on the main app by :func:`register` (from :mod:`cdc_pipeline.cli.app`). DuckDB, pyarrow load only
when one of these commands runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cdc_pipeline.cli.context import CliContext, ErrorHandler

if TYPE_CHECKING:
    from cdc_pipeline.config.settings import Settings
    from cdc_pipeline.observe.endpoint.query_exec import QueryResult
    from cdc_pipeline.observe.verify.run import VerifyReport


out = Console()
err = Console(stderr=True)
TABLE_FORMATS = ("table", "csv", "json")
DEFAULT_MAX_ROWS = 1000


_state: list[CliContext] = []


def register(app: typer.Typer, state: CliContext, handles_errors: ErrorHandler) -> None:
    """Add `query` and `verify` to ``app``; ``state.settings()`` gives the effective settings."""
    _state[:] = [state]
    app.command("query")(handles_errors(query))
    app.command("verify")(handles_errors(verify))


def _settings() -> Settings:
    return _state[0].settings()


def query(
    sql: Annotated[
        str, typer.Argument(help="one read-only SQL statement (SELECT, SHOW, DESCRIBE, EXPLAIN...)")
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="table | csv | json (json: columns with types, rows)")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option(help="write the result to FILE.parquet (or .csv / .json) instead")
    ] = None,
    max_rows: Annotated[int, typer.Option(help="rows shown by --format table")] = DEFAULT_MAX_ROWS,
) -> None:
    """Query the DuckDB replica: through the running sink's endpoint, else the file opened read-only."""
    from cdc_pipeline.errors import CdcError  # noqa: PLC0415
    from cdc_pipeline.observe.endpoint.client import open_replica  # noqa: PLC0415

    if output_format not in TABLE_FORMATS:
        raise CdcError(f"unknown --format {output_format!r}", f"use one of {', '.join(TABLE_FORMATS)}")
    with open_replica(_settings()) as replica:
        result = replica.query(sql)
        via = replica.via
    if output is not None:
        _write_file(result, output)
        err.print(f"wrote {result.table.num_rows} rows to {output} (read through {via})", highlight=False)
    elif output_format == "table":
        _render_table(result, max_rows)
    else:
        from cdc_pipeline.observe.endpoint.query_exec import encode  # noqa: PLC0415

        typer.echo(encode(result, output_format).decode("utf-8"), nl=output_format == "json")


def _write_file(result: QueryResult, path: Path) -> None:
    from cdc_pipeline.errors import CdcError  # noqa: PLC0415
    from cdc_pipeline.observe.endpoint.query_exec import encode  # noqa: PLC0415

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: PLC0415

        pq.write_table(result.table, str(path))
    elif suffix in {".csv", ".json"}:
        path.write_bytes(encode(result, suffix[1:]))
    else:
        raise CdcError(f"cannot tell the format of {path}", "name the file *.parquet, *.csv or *.json")


def _render_table(result: QueryResult, max_rows: int) -> None:
    from cdc_pipeline.observe.endpoint.query_exec import csv_cell, rows  # noqa: PLC0415

    table = Table(show_lines=False)
    for name, duck_type in zip(result.columns, result.types, strict=True):
        table.add_column(f"{name}\n[dim]{duck_type}[/]")
    all_rows = rows(result)
    for row in all_rows[:max_rows]:
        table.add_row(*("[dim]NULL[/]" if v is None else _escape(csv_cell(v)) for v in row))
    out.print(table)
    shown = min(len(all_rows), max_rows)
    more = f" (showing {shown}; use --format csv or --output for all)" if shown < len(all_rows) else ""
    err.print(f"{len(all_rows)} rows{more}", highlight=False)


def _escape(text: str) -> str:
    from rich.markup import escape  # noqa: PLC0415

    return escape(text)


def verify(
    tables: Annotated[
        list[str] | None,
        typer.Argument(help="schema.table or table (public) [default: every replicated table]"),
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for DuckDB to catch up")] = 60.0,
    sample: Annotated[int, typer.Option(help="differing keys shown per kind")] = 10,
    wait: Annotated[bool, typer.Option(help="wait for a consistent point first")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Compare each replicated table in PostgreSQL and DuckDB. Exit 0 equal, 1 different, 2 undecided."""
    from cdc_pipeline.observe.verify.run import VerifyOptions  # noqa: PLC0415
    from cdc_pipeline.observe.verify.run import verify as run_verify  # noqa: PLC0415

    options = VerifyOptions(tables=tables or [], wait=wait, timeout_s=timeout, sample=sample)
    report = run_verify(_settings(), options)
    if as_json:
        out.print_json(json.dumps(report.to_json(), default=str))
    else:
        render_verify(report)
    raise typer.Exit(report.exit_code)


def render_verify(report: VerifyReport) -> None:
    colors = {"equal": "green", "different": "red", "undecided": "yellow"}
    table = Table(title=f"cdc verify: {report.verdict}")
    for column in ("table", "verdict", "rows pg", "rows duckdb", "missing", "extra", "changed", "note"):
        table.add_column(column)
    for t in report.tables:
        d = t.differences
        counts: list[Any] = ["", "", "", "", ""]
        if d is not None:
            bound = "" if d.counts_exact else "≥"
            counts = [
                d.rows_pg,
                d.rows_duck,
                *(f"{bound}{n}" for n in (d.missing_count, d.extra_count, d.changed_count)),
            ]
        table.add_row(
            t.source_table, f"[{colors[t.verdict]}]{t.verdict}[/]", *map(str, counts), _escape(t.note)
        )
    out.print(table)
    for t in report.tables:
        d = t.differences
        if d is None:
            continue
        for kind, keys in (
            ("missing in DuckDB", d.missing),
            ("extra in DuckDB", d.extra),
            ("changed", d.changed),
        ):
            if keys:
                shown = "; ".join(", ".join(f"{k}={v}" for k, v in key.items()) for key in keys)
                out.print(f"{t.source_table} {kind}: {_escape(shown)}", highlight=False)
    if report.undecided_reason:
        err.print(f"[yellow]undecided:[/] {_escape(report.undecided_reason)}", highlight=False)
    if report.consistent_lsn:
        err.print(
            f"[dim]consistent at PostgreSQL LSN {report.consistent_lsn} (waited {report.waited_s:.1f} s), "
            f"read through {report.via}[/]",
            highlight=False,
        )
