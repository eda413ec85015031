"""Scenario ``latency``: end to end, PostgreSQL commit -> visible in DuckDB, on the running stack (`cdc up`).

1. Create ``public.bench_latency`` and add it to the pipeline's own connector (the stack users have; a second
   connector with the same topic prefix would clash with it in Debezium's metrics and offsets), then wait
   until a first row is visible in DuckDB, or stop saying why. At the end the connector gets back the config
   it had (or is deleted with its slot when the bench created it).
2. For each rate: a load generator commits inserts with increasing keys, one transaction every 10 ms
   (rate/100 rows each), and records each transaction's commit time (when COMMIT returned). Meanwhile a poller
   asks the sink's ``/query`` endpoint for ``max(id)`` every 20 ms; a row is visible from the first answer
   that includes it (time taken at the middle of the request). Latency = visible - committed.
3. CPU seconds of PostgreSQL (postmaster and every backend), Kafka, Connect and the sink over the load phase,
   from /proc of the pids in the state directory's ``run/*.pid``.
"""

from __future__ import annotations

import bisect
import statistics
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg

from cdc_bench.measure import children, cpu_seconds, load_average
from cdc_bench.report import print_table
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.apply import apply_connector, client_for
from cdc_pipeline.connectors.lifecycle import connector_status, delete_connector
from cdc_pipeline.connectors.model import TableRef, pipeline_tables
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import endpoint_headers, endpoint_url
from cdc_pipeline.sample import postgres_dsn
from cdc_pipeline.stack.process import Processes

TABLE = "bench_latency"
CAPTURE_TIMEOUT_S = 120.0
TICK_S = 0.01
POLL_S = 0.02
COMPONENTS = ("postgres", "kafka", "connect", "sink")


@dataclass
class Poller:
    """Polls ``max(id)`` through the sink's endpoint; ``seen`` holds (time, max id) answers."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[float, int]] = field(default_factory=list)
    errors: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=5.0, headers=self.headers) as client:
            while not self._stop.is_set():
                sent = time.time()
                try:
                    reply = client.post(self.url, content=f"SELECT coalesce(max(id), 0) AS m FROM {TABLE}")
                    value = int(reply.json()["rows"][0][0]) if reply.status_code == 200 else None
                except (httpx.HTTPError, KeyError, ValueError, IndexError):
                    value = None
                if value is None:
                    self.errors += 1
                else:
                    self.seen.append(((sent + time.time()) / 2, value))
                self._stop.wait(POLL_S)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="poller", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def component_pids(settings: Settings) -> dict[str, list[int]]:
    procs = Processes(settings.state_dir)
    found: dict[str, list[int]] = {}
    for name in COMPONENTS:
        pid = procs.pid(name)
        if pid is None:
            raise CdcError(f"{name} is not running", "start the stack with `cdc up` (the sink included)")
        found[name] = [pid, *children(pid)] if name == "postgres" else [pid]
    return found


def component_cpu(pids: dict[str, list[int]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for name, group in pids.items():
        seconds = 0.0
        for pid in group:
            with suppress(OSError):  # a backend that ended
                seconds += cpu_seconds(pid)
        total[name] = seconds
    return total


def prepare(settings: Settings, debezium: dict[str, str]) -> dict[str, str] | None:
    """The table, added to the pipeline's connector; ``debezium`` overrides connector properties (tuning).
    Returns the connector's config before (None: there was no connector) for :func:`restore`."""
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as pg:
        pg.execute(
            f"CREATE TABLE IF NOT EXISTS public.{TABLE} (id bigint PRIMARY KEY, note text, at timestamptz)"
        )
        forget_earlier_runs(pg)
    with client_for(settings) as client:
        before = client.get_config(settings.connector_name)
    tuned = settings.model_copy(update={"debezium": {**settings.debezium, **debezium}})
    apply_connector(tuned, [*pipeline_tables(settings), TableRef("public", TABLE)])
    return before


def forget_earlier_runs(pg: psycopg.Connection[Any]) -> None:
    """Keep only the highest id of the earlier runs. Joining the connector starts an incremental snapshot of
    the table (how an added table is captured with its rows), and measured while Debezium snapshots millions
    of old rows the load waits behind it (seen: p50 0.6 s instead of 0.2 s at 5,000/s, Connect busy at 1.1
    cores). The kept row keeps the ids increasing past what the DuckDB copy holds, so ``max(id)`` stays the
    measure."""
    with pg.transaction():
        last = next_id(pg) - 1
        pg.execute(f"TRUNCATE public.{TABLE}")
        if last > 0:
            pg.execute(f"INSERT INTO public.{TABLE} VALUES (%s, 'last id of earlier runs', now())", (last,))


def restore(settings: Settings, before: dict[str, str] | None) -> None:
    """The pipeline's connector as it was (the bench table's DuckDB copy stays); gone if there was none."""
    if before is None:
        delete_connector(settings, drop_slot=True)
        return
    with client_for(settings) as client:
        client.put_config(settings.connector_name, {k: v for k, v in before.items() if k != "name"})


def await_capture(settings: Settings) -> None:
    """One row committed now is visible in DuckDB, or a :class:`CdcError` that says what to look at."""
    poller = Poller(f"{endpoint_url(settings)}/query", endpoint_headers(settings))
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as pg:
        marker = next_id(pg)
        pg.execute(f"INSERT INTO public.{TABLE} VALUES (%s, 'capture check', now())", (marker,))
    thread = poller.start()
    deadline = time.monotonic() + CAPTURE_TIMEOUT_S
    try:
        while time.monotonic() < deadline and not (poller.seen and poller.seen[-1][1] >= marker):
            time.sleep(0.2)
    finally:
        poller.stop()
        thread.join()
    if not poller.seen or poller.seen[-1][1] < marker:
        raise CdcError(
            f"nothing to measure: a row committed to public.{TABLE} was not visible in DuckDB within "
            f"{CAPTURE_TIMEOUT_S:.0f} s (connector {settings.connector_name}: {_connector_state(settings)}; "
            f"{poller.errors} failed queries to the sink's endpoint)",
            "check `cdc status` (connector and sink running, the table captured) and run the bench again",
        )


def _connector_state(settings: Settings) -> str:
    try:
        state = connector_status(settings).state
    except CdcError as exc:
        return f"unknown ({exc})"
    if state is None:
        return "not registered"
    tasks = ", ".join(f"task {t.id} {t.state}" for t in state.tasks) or "no task"
    return f"{state.state}, {tasks}"


def next_id(pg: psycopg.Connection[Any]) -> int:
    row = pg.execute(f"SELECT coalesce(max(id), 0) FROM public.{TABLE}").fetchone()
    return int(row[0]) + 1 if row else 1


def generate(pg: psycopg.Connection[Any], rate: int, seconds: float, first: int) -> list[tuple[int, float]]:
    """Commit ``rate`` rows/s for ``seconds``; (last id of the transaction, commit time) per commit."""
    per_tick = max(1, round(rate * TICK_S))
    tick = per_tick / rate
    commits: list[tuple[int, float]] = []
    next_id, started = first, time.monotonic()
    for n in range(int(seconds / tick)):
        delay = started + n * tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        last = next_id + per_tick - 1
        pg.execute(
            f"INSERT INTO public.{TABLE} SELECT g, 'change ' || g, now() "
            "FROM generate_series(%s::bigint, %s::bigint) g",
            (next_id, last),
        )
        commits.append((last, time.time()))
        next_id = last + 1
    return commits


def latencies(commits: list[tuple[int, float]], seen: list[tuple[float, int]]) -> list[float]:
    """Per committed transaction: when it first became visible minus its commit time (rows of a
    transaction become visible together)."""
    times = [t for t, _ in seen]
    maxima = [m for _, m in seen]
    running = 0
    for i, m in enumerate(maxima):  # visibility never goes back
        running = max(running, m)
        maxima[i] = running
    result = []
    for last, committed in commits:
        index = bisect.bisect_left(maxima, last)
        if index < len(times):
            result.append(max(0.0, times[index] - committed))
    return result


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def measure_rate(settings: Settings, rate: int, seconds: float) -> dict[str, Any]:
    pids = component_pids(settings)
    poller = Poller(f"{endpoint_url(settings)}/query", endpoint_headers(settings))
    thread = poller.start()
    load = load_average()
    with psycopg.connect(postgres_dsn(settings), autocommit=True) as pg:
        cpu_before, wall = component_cpu(pids), time.monotonic()
        commits = generate(pg, rate, seconds, next_id(pg))
        gen_wall = time.monotonic() - wall
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not poller.seen or poller.seen[-1][1] < commits[-1][0]):
            time.sleep(0.05)
        cpu_after, wall = component_cpu(component_pids(settings)), time.monotonic() - wall
    poller.stop()
    thread.join()
    lat = latencies(commits, poller.seen)
    rows = (commits[-1][0] - commits[0][0] + round(rate * TICK_S)) if commits else 0
    return {
        "rate": rate,
        "achieved_rate": rows / gen_wall,
        "transactions": len(commits),
        "measured": len(lat),
        "lost": len(commits) - len(lat),
        "p50_ms": _percentile(lat, 0.50) * 1000,
        "p95_ms": _percentile(lat, 0.95) * 1000,
        "p99_ms": _percentile(lat, 0.99) * 1000,
        "max_ms": max(lat) * 1000 if lat else float("nan"),
        "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan"),
        "cpu_cores": {k: (cpu_after[k] - cpu_before[k]) / wall for k in COMPONENTS},
        "poll_errors": poller.errors,
        "load_before": round(load, 2),
    }


def run(
    settings: Settings, rates: list[int], seconds: float = 20.0, debezium: dict[str, str] | None = None
) -> dict[str, Any]:
    before = prepare(settings, debezium or {})
    try:
        await_capture(settings)
        measure_rate(settings, 50, 3.0)  # warm-up
        results = [measure_rate(settings, rate, seconds) for rate in rates]
    finally:
        restore(settings, before)
    passing = [r["rate"] for r in results if r["p99_ms"] < 1000 and r["lost"] == 0]
    print_table(
        f"end-to-end latency, PostgreSQL commit -> visible in DuckDB ({seconds:.0f} s per rate)",
        ["rate/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms", "max ms", *[f"{c} cores" for c in COMPONENTS]],
        [
            [
                r["rate"],
                r["achieved_rate"],
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["max_ms"],
                *[r["cpu_cores"][c] for c in COMPONENTS],
            ]
            for r in results
        ],
    )
    for r in results:
        if r["lost"]:
            print(
                f"rate {r['rate']}/s: {r['lost']} of {r['transactions']} transactions were not visible in "
                "DuckDB 30 s after the load ended (the stack fell behind, or stopped: see `cdc status`)"
            )
    best = max(passing, default=None)
    print(
        f"highest tested rate with p99 < 1 s: {best:,} changes/s"
        if best is not None
        else "no tested rate had p99 < 1 s"
    )
    return {
        "seconds": seconds,
        "debezium": debezium or {},
        "results": results,
        "highest_rate_p99_under_1s": best,
    }
