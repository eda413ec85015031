"""Scenario ``backlog``: the sink's memory with N (default 5M) change events waiting in Kafka.

Fill the topics first, then start the sink on them: it must work through the backlog in bounded batches
(``SINK_MAX_EVENTS``/``SINK_MAX_BYTES``) with a peak RSS that does not grow with the backlog. RSS is sampled
every 0.5 s (the curve is in the JSON) and the peak is the kernel's high-water mark (VmHWM).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cdc_bench.fill import fill
from cdc_bench.report import print_table, run_worker
from cdc_bench.throughput import check_state, end_offsets


def run(bootstrap: str, events: int, prefix: str | None = None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="cdc-bench-backlog-"))
    filled = fill(bootstrap, prefix or f"backlog{time.strftime('%H%M%S')}n{events}", events)
    spec = {
        "bootstrap": bootstrap,
        "prefix": filled.prefix,
        "end_offsets": end_offsets(bootstrap, filled.topics),
        "duckdb": str(work / "backlog.duckdb"),
        "sample_rss": True,
        "timeout_s": 7200,
    }
    result = run_worker("sink", spec)
    state = check_state(work / "backlog.duckdb", filled)
    shutil.rmtree(work, ignore_errors=True)
    samples = result["rss_samples"]
    half = [rss for t, rss in samples if t >= result["wall_s"] / 2]
    print_table(
        f"sink memory with a backlog of {events:,} events ({filled.bytes / (1 << 30):.1f} GiB in Kafka)",
        ["events", "seconds", "events/s", "peak RSS MB", "RSS MB 2nd half max", "final state ok"],
        [
            [
                events,
                result["wall_s"],
                events / result["wall_s"],
                result["peak_rss_mb"],
                max(half, default=0.0),
                str(state["ok"]),
            ]
        ],
    )
    return {"fill": asdict(filled), "sink": result, "state": state}
