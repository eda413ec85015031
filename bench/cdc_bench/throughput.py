"""Scenario ``throughput``: the sink beside its read-side and write-side ceilings and the row-by-row baseline.

1. Fill ``<prefix>.public.bench_*`` with N change events (:mod:`.fill`).
2. In separate processes, alternating, ``repeat`` times each: (a) ``decode`` (consume + decode + coalesce +
   Arrow, no apply), ``ours`` (the real commit protocol into a fresh DuckDB file, as the sink runs by
   default: the next batch read ahead while DuckDB applies) and ``ours, no read-ahead`` (decode and apply
   taking turns, the sink before issue 11). The median run counts.
3. (b) ``bulk``: the final rows of the last ``ours`` run loaded into a new DuckDB file from Arrow.
4. (c) ``rowbyrow``: the original demo's one-statement-per-event apply, on the first ``rowbyrow_events``.
5. Check ``ours`` against the workload's expected final state (row count and key sum per table).

Rates are change events (c/u/d) per second; tombstones are read but not counted.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb
from cdc_bench.fill import FillReport, fill
from cdc_bench.report import print_table, run_worker
from cdc_bench.tables import TABLES
from cdc_pipeline import _core


def end_offsets(bootstrap: str, topics: list[str]) -> dict[str, int]:
    return {t: _core.query_watermarks(bootstrap, t, 0, 10_000)[1] for t in topics}


def check_state(path: Path, fill_report: FillReport) -> dict[str, Any]:
    with duckdb.connect(str(path), read_only=True) as conn:
        got = {
            t.name: conn.execute(f'SELECT count(*), coalesce(sum(id), 0) FROM "{t.name}"').fetchone()
            for t in TABLES
        }
    ok = all(
        got[n] == (fill_report.expected_rows[n], fill_report.expected_key_sums[n])
        for n in fill_report.expected_rows
    )
    return {"ok": ok, "rows": {n: v[0] if v else None for n, v in got.items()}}


TUNED_KAFKA = {"queued.max.messages.kbytes": "262144"}  # librdkafka's prefetch queue: 64 MiB by default


def run(
    bootstrap: str,
    events: int,
    *,
    repeat: int = 1,
    rowbyrow_events: int = 20_000,
    tuned: bool = True,
    work_dir: Path | None = None,
) -> dict[str, Any]:
    work = work_dir or Path(tempfile.mkdtemp(prefix="cdc-bench-"))
    prefix = f"bench{time.strftime('%H%M%S')}n{events}"
    filled = fill(bootstrap, prefix, events)
    spec: dict[str, Any] = {
        "bootstrap": bootstrap,
        "prefix": prefix,
        "end_offsets": end_offsets(bootstrap, filled.topics),
    }
    runs: dict[str, list[dict[str, Any]]] = {"decode": [], "sink": [], "sink_serial": []}
    db = work / "ours-0.duckdb"
    for i in range(repeat):
        runs["decode"].append(run_worker("decode", spec))
        db = work / f"ours-{i}.duckdb"
        runs["sink"].append(run_worker("sink", {**spec, "duckdb": str(db)}))
        runs["sink"][-1]["duckdb_mb"] = round(db.stat().st_size / (1 << 20), 1)
        serial = {**spec, "duckdb": str(work / f"serial-{i}.duckdb"), "read_ahead": False}
        runs["sink_serial"].append(run_worker("sink", serial))
    state = check_state(db, filled)
    if tuned:  # the same sink with a 4x larger prefetch queue (memory for speed; see RESULTS.md)
        runs["sink_tuned"] = [
            run_worker("sink", {**spec, "duckdb": str(work / "tuned.duckdb"), "kafka": TUNED_KAFKA})
        ]
    bulk = run_worker(
        "bulk",
        {"from_duckdb": str(db), "duckdb": str(work / "bulk.duckdb"), "tables": [t.name for t in TABLES]},
    )
    rbr = run_worker(
        "rowbyrow", {**spec, "duckdb": str(work / "rowbyrow.duckdb"), "limit_events": rowbyrow_events}
    )
    if work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return summarize(filled, runs, bulk, rbr, state)


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    return ordered[len(ordered) // 2]


def _row(label: str, events: int, run: dict[str, Any]) -> list[Any]:
    return [label, events, run["wall_s"], events / run["wall_s"], run["cpu_s"], run["peak_rss_mb"]]


def summarize(
    filled: FillReport,
    runs: dict[str, list[dict[str, Any]]],
    bulk: dict[str, Any],
    rbr: dict[str, Any],
    state: dict[str, Any],
) -> dict[str, Any]:
    n = filled.events
    ours, decode = _median(runs["sink"]), _median(runs["decode"])
    rate = {
        "ours": n / ours["wall_s"],
        "decode": n / decode["wall_s"],
        "bulk": n / bulk["wall_s"],  # the same events' final rows, loaded at once
        "rowbyrow": rbr["events"] / rbr["wall_s"],
    }
    serial = _median(runs["sink_serial"]) if runs.get("sink_serial") else None
    ratios = {
        "ours/decode": rate["ours"] / rate["decode"],
        **({"ours/no-read-ahead": serial["wall_s"] / ours["wall_s"]} if serial else {}),
        "ours/bulk": rate["ours"] / rate["bulk"],
        "ours/rowbyrow": rate["ours"] / rate["rowbyrow"],
    }
    rows = [
        _row("ours (sink: consume+decode+apply+commit)", n, ours),
        *([_row("ours, no read-ahead (decode, apply in turn)", n, serial)] if serial else []),
        *[_row("ours, prefetch queue 256 MiB", n, tuned) for tuned in runs.get("sink_tuned", [])],
        _row("(a) consume+decode only", n, decode),
        _row(f"(b) bulk load of final {bulk['rows']:,} rows", n, bulk),
        _row(f"(c) row-by-row, first {rbr['events']:,} events", rbr["events"], rbr),
    ]
    print_table(
        f"sink throughput: {n:,} events ({filled.bytes / n:,.0f} B/event), final state ok={state['ok']}",
        ["run", "events", "seconds", "events/s", "CPU s", "peak RSS MB"],
        rows,
    )
    print_table(
        "ratios (targets, issue 11: ours/(a) >= 0.85, ours/(c) >= 500)",
        ["ratio", "value"],
        [[k, v] for k, v in ratios.items()],
    )
    return {
        "fill": asdict(filled),
        "runs": runs,
        "bulk": bulk,
        "rowbyrow": rbr,
        "rates": rate,
        "ratios": ratios,
        "state": state,
        "median_spread": {k: [r["wall_s"] for r in v] for k, v in runs.items()},
        "cpu_per_event_us": {"ours": ours["cpu_s"] / n * 1e6, "decode": decode["cpu_s"] / n * 1e6},
    }
