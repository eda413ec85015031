"""Rendering `cdc status`: the components table, the sink's state and the replicated tables; ``--watch``.

:func:`status_view` turns a :class:`StatusReport` into rich renderables (no I/O), so the one-shot output and
the refreshing ``--watch`` display are the same thing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cdc_pipeline.observe.status.report import StatusReport
from cdc_pipeline.observe.status.tables import SinkState, TableStatus, lsn_text

COMPONENT_COLORS = {"RUNNING": "green", "STOPPED": "yellow"}
SINK_COLORS = {"running": "green", "starting": "yellow", "stopping": "yellow", "stopped": "yellow"}
OP_NAMES = {"c": "ins", "u": "upd", "d": "del", "r": "snap", "t": "trunc"}


def status_view(report: StatusReport) -> RenderableType:
    parts: list[RenderableType] = [components_table(report)]
    if report.sink is not None:
        parts.append(sink_line(report.sink))
    if report.tables:
        parts.append(tables_table(report.tables))
    return Group(*parts)


def components_table(report: StatusReport) -> Table:
    table = Table(title="cdc_pipeline status")
    for column in ("component", "state", "port", "pid", "detail", "log"):
        table.add_column(column)
    for row in report.rows:
        color = COMPONENT_COLORS.get(row.state, "red")
        table.add_row(
            escape(row.name),
            f"[{color}]{row.state}[/]",
            str(row.port or ""),
            str(row.pid or ""),
            escape(row.detail),
            escape(row.log_file or ""),
        )
    return table


def sink_line(sink: SinkState) -> Text:
    color = SINK_COLORS.get(sink.state, "red")
    line = Text.from_markup(f"sink [{color}]{sink.state}[/]")
    if sink.events_per_second is not None:
        line.append(f", {sink.events_per_second:g} events/s over the last minute")
    if sink.via:
        line.append(f"; tables read through {sink.via}", style="dim")
    if sink.note:
        line.append(f"\n{sink.note}", style="yellow")
    for retry in sink.retrying:
        line.append(f"\nretrying {retry}", style="yellow")
    for load in sink.loads:
        line.append(f"\n{load}", style="red" if load.startswith("failed") else "cyan")
    if sink.last_error:
        line.append(f"\nlast error: {sink.last_error}", style="red")
    return line


def tables_table(tables: list[TableStatus]) -> Table:
    table = Table(title="replicated tables")
    columns = ("table", "rows", "last LSN", "source commit", "lag msgs", "behind s", "events/s", "applied")
    for column in (*columns, "state", "last error"):
        table.add_column(column, justify="right" if column in columns[1:2] + columns[4:7] else "left")
    for t in tables:
        state = f"[green]{t.state}[/]" if t.state == "running" else f"[red]{t.state}[/]"
        table.add_row(
            escape(t.source_table),
            _text(t.rows),
            _text(lsn_text(t.last_lsn)),
            _text(t.last_source_ts),
            _text(t.consumer_lag),
            _text(t.lag_seconds),
            _text(t.events_per_second),
            escape(" ".join(f"{OP_NAMES.get(op, op)} {n}" for op, n in sorted(t.events.items()))),
            state,
            escape(t.last_error or ""),
        )
    return table


def _text(value: object) -> str:
    return "" if value is None else escape(str(value))


def watch(collect: Callable[[], StatusReport], interval_s: float, console: Console, as_json: bool) -> None:
    """Refresh every ``interval_s`` until Ctrl-C: in place on a terminal, one JSON line each with --json."""
    try:
        if as_json:
            while True:
                console.out(json.dumps(collect().to_json()), highlight=False)
                time.sleep(interval_s)
        with Live(status_view(collect()), console=console, auto_refresh=False) as live:
            while True:
                time.sleep(interval_s)
                live.update(status_view(collect()), refresh=True)
    except KeyboardInterrupt:
        return
