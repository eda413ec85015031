"""`cdc dead-letter list | replay`: parse, call :mod:`cdc_pipeline.dead_letter.commands`, render."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cdc_pipeline.cli.context import CliContext, ErrorHandler
from cdc_pipeline.dead_letter.commands import DeadLetterList, list_dead_letters, replay
from cdc_pipeline.dead_letter.records import Selection
from cdc_pipeline.errors import CdcError

out = Console()

AsJson = Annotated[bool, typer.Option("--json", help="print the report as JSON")]
TableOpt = Annotated[
    str | None, typer.Option("--table", help="only records of this source table (schema.table)")
]
TopicOpt = Annotated[
    str | None, typer.Option("--topic", help="one record: its topic (dead-letter or source)")
]
PartitionOpt = Annotated[
    int | None, typer.Option("--partition", help="one record: its dead-letter partition")
]
OffsetOpt = Annotated[int | None, typer.Option("--offset", help="one record: its dead-letter offset")]

REPLAY_HELP = "\n\n".join(
    (
        "Replay dead-lettered records (all, --table T, or one --topic/--partition/--offset).",
        "A record is never applied as it was: it is an old change, and a newer one of the same row may have "
        "streamed since. Replay takes the row's CURRENT value from PostgreSQL by the record's key instead: a "
        "row that exists is re-sent by Debezium (an incremental snapshot of exactly those keys) and applied "
        "like any change; a row that is gone is deleted by key from DuckDB (only while the sink has applied "
        "the table below PostgreSQL's check, so a newer insert of the key wins).",
        "Records without a usable key are not replayed: the output names `cdc tables resnapshot` for them. "
        "Every replay is recorded in _cdc.dead_letter. Fix the cause first, or the re-sent row is "
        "dead-lettered again.",
    )
)


def dead_letter_app(context: CliContext, handles_errors: ErrorHandler) -> typer.Typer:
    app = typer.Typer(help="Records the sink dead-lettered (SINK_ON_ERROR=dead-letter): list, replay.")

    def selection(
        table: str | None, topic: str | None, partition: int | None, offset: int | None
    ) -> Selection:
        if (partition is None) != (offset is None):
            raise CdcError("--partition and --offset name one record together", "give both, or neither")
        return Selection(table, topic, partition, offset)

    @app.command("list")
    @handles_errors
    def list_cmd(
        table: TableOpt = None,
        topic: TopicOpt = None,
        partition: PartitionOpt = None,
        offset: OffsetOpt = None,
        as_json: AsJson = False,
    ) -> None:
        """List dead-lettered records: topic, partition, offset, table, reason, time, and any replay."""
        report = list_dead_letters(context.settings(), selection(table, topic, partition, offset))
        if as_json:
            typer.echo(json.dumps(report.to_json(), indent=2, default=str))
        else:
            _render_list(report)

    @app.command("replay", help=REPLAY_HELP)
    @handles_errors
    def replay_cmd(
        table: TableOpt = None,
        topic: TopicOpt = None,
        partition: PartitionOpt = None,
        offset: OffsetOpt = None,
        as_json: AsJson = False,
    ) -> None:
        report = replay(context.settings(), selection(table, topic, partition, offset))
        if as_json:
            typer.echo(json.dumps(report.to_json(), indent=2, default=str))
            return
        for line in report.lines:
            typer.echo(
                f"topic {line.topic} partition {line.partition} offset {line.offset} "
                f"({line.table or 'unknown table'}, {line.key}): {line.did}"
            )
        typer.echo(report.audit)

    return app


def _render_list(report: DeadLetterList) -> None:
    if not report.records:
        out.print(f"no dead-lettered records in {escape(report.topic)}", highlight=False)
        return
    view = Table(
        "topic", "partition", "offset", "table", "key", "reason", "time", "replayed", title=report.topic
    )
    for item in report.records:
        r = item.record
        when = (
            datetime.fromtimestamp(r.time_ms / 1000, UTC).isoformat(timespec="seconds")
            if r.time_ms > 0
            else ""
        )
        key = ", ".join(f"{c}={v}" for c, v in (r.key or {}).items())
        view.add_row(
            escape(r.topic),
            str(r.partition),
            str(r.offset),
            escape(r.table or ""),
            escape(key),
            escape(r.reason),
            when,
            escape(item.replayed_at or "no"),
        )
    out.print(view)
