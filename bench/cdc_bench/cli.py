"""`cdc bench throughput | apply | latency | insert | load | backlog`: each prints a table and writes JSON.

Scenario modules are imported when their command runs, so `cdc` itself does not load duckdb, pyarrow or the
benchmark code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cdc_pipeline.cli.context import CliContext, ErrorHandler

Out = Annotated[Path, typer.Option("--out", help="directory for the JSON result")]
DEFAULT_OUT = Path("bench/results")


def _ints(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def bench_app(context: CliContext, handles_errors: ErrorHandler) -> typer.Typer:
    app = typer.Typer(
        help="Benchmarks: sink throughput, apply strategy, latency, backlog memory.", no_args_is_help=True
    )

    _sink_commands(app, context, handles_errors)
    _stack_commands(app, context, handles_errors)
    return app


def save(scenario: str, out: Path, result: dict[str, Any]) -> None:
    from cdc_bench.report import write_json  # noqa: PLC0415 (see the module docstring)

    typer.echo(f"result: {write_json(out, scenario, result)}")


def _sink_commands(app: typer.Typer, context: CliContext, handles_errors: ErrorHandler) -> None:
    """`throughput`, `apply` and `backlog`: the sink alone (Kafka pre-filled, or DuckDB only)."""

    @app.command("throughput")
    @handles_errors
    def throughput_cmd(
        events: Annotated[int, typer.Option(help="change events to pre-fill")] = 1_000_000,
        repeat: Annotated[int, typer.Option(help="runs of ours and of (a); the median counts")] = 3,
        rowbyrow_events: Annotated[int, typer.Option(help="events for the row-by-row baseline (c)")] = 20_000,
        tuned: Annotated[bool, typer.Option(help="also run ours once with a 256 MiB prefetch queue")] = True,
        out: Out = DEFAULT_OUT,
    ) -> None:
        """Sink events/s, CPU and RSS beside (a) decode only, (b) bulk load, (c) row by row (needs Kafka)."""
        from cdc_bench import throughput  # noqa: PLC0415 (see the module docstring)

        bootstrap = context.settings().bootstrap_servers
        save(
            "throughput",
            out,
            throughput.run(bootstrap, events, repeat=repeat, rowbyrow_events=rowbyrow_events, tuned=tuned),
        )

    @app.command("apply")
    @handles_errors
    def apply_cmd(
        sizes: Annotated[
            str, typer.Option(help="target table sizes, comma-separated")
        ] = "100000,1000000,10000000",
        upserts: Annotated[int, typer.Option(help="upserted rows per batch")] = 50_000,
        deletes: Annotated[int, typer.Option(help="deleted keys per batch")] = 10_000,
        batches: Annotated[int, typer.Option(help="batches per strategy and size; the median counts")] = 5,
        out: Out = DEFAULT_OUT,
    ) -> None:
        """Upsert strategies (MERGE, delete+insert, PK + INSERT OR REPLACE, PK + MERGE) against table size."""
        from cdc_bench import apply_strategy  # noqa: PLC0415 (see the module docstring)

        save(
            "apply",
            out,
            apply_strategy.run(_ints(sizes), upserts=upserts, deletes=deletes, batches=batches),
        )

    @app.command("backlog")
    @handles_errors
    def backlog_cmd(
        events: Annotated[int, typer.Option(help="change events waiting before the sink starts")] = 5_000_000,
        out: Out = DEFAULT_OUT,
    ) -> None:
        """Peak RSS of the sink working through a backlog (needs Kafka)."""
        from cdc_bench import backlog  # noqa: PLC0415 (see the module docstring)

        save("backlog", out, backlog.run(context.settings().bootstrap_servers, events))


def _stack_commands(app: typer.Typer, context: CliContext, handles_errors: ErrorHandler) -> None:
    """`latency` and `insert`: PostgreSQL to DuckDB through the whole stack `cdc up` runs."""

    @app.command("insert")
    @handles_errors
    def insert_cmd(
        rows: Annotated[int, typer.Option(help="rows of the one INSERT transaction")] = 300_000,
        repeat: Annotated[int, typer.Option(help="runs per config, alternating; the median counts")] = 1,
        out: Out = DEFAULT_OUT,
    ) -> None:
        """One large transaction until all visible in DuckDB: generated connector vs Debezium's defaults."""
        from cdc_bench import bulk_insert  # noqa: PLC0415 (see the module docstring)

        save("insert", out, bulk_insert.run(context.settings(), rows, repeat))

    @app.command("load")
    @handles_errors
    def load_cmd(
        rows: Annotated[int, typer.Option(help="rows of the pgbench_accounts-like table")] = 500_000,
        repeat: Annotated[int, typer.Option(help="loads from PostgreSQL; the median counts")] = 3,
        debezium: Annotated[
            bool, typer.Option(help="also time Debezium's incremental snapshot of the table (minutes)")
        ] = True,
        out: Out = DEFAULT_OUT,
    ) -> None:
        """A table's snapshot into DuckDB: the sink's load from PostgreSQL beside Debezium's incremental."""
        from cdc_bench import snapshot_load  # noqa: PLC0415 (see the module docstring)

        save("load", out, snapshot_load.run(context.settings(), rows, repeat, debezium))

    @app.command("latency")
    @handles_errors
    def latency_cmd(
        rates: Annotated[str, typer.Option(help="changes/s to test, comma-separated")] = "100,1000,2000,5000",
        seconds: Annotated[float, typer.Option(help="load duration per rate")] = 20.0,
        debezium: Annotated[
            list[str] | None,
            typer.Option(help="connector property override KEY=VALUE (repeatable), for tuning"),
        ] = None,
        out: Out = DEFAULT_OUT,
    ) -> None:
        """PostgreSQL commit -> visible in DuckDB at fixed rates, on the stack `cdc up` runs."""
        from cdc_bench import latency  # noqa: PLC0415 (see the module docstring)

        overrides = dict(item.split("=", 1) for item in debezium or [])
        save("latency", out, latency.run(context.settings(), _ints(rates), seconds, overrides))
