"""Running workers, printing a result table, and writing a result as JSON (one file per scenario run)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import duckdb
from cdc_bench.measure import load_average
from cdc_pipeline import _core

console = Console()


def run_worker(mode: str, spec: dict[str, Any], timeout_s: float = 7200) -> dict[str, Any]:
    """Run one measured worker process and return its JSON result (with the load average before it)."""
    load = load_average()
    proc = subprocess.run(
        [sys.executable, "-m", "cdc_bench.worker", mode, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench worker {mode} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load_before"] = round(load, 2)
    return result


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / (1 << 20), 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "librdkafka": _core.librdkafka_version(),  # the one the core links (not whatever the loader finds)
        "ld_preload": os.environ.get("LD_PRELOAD", ""),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title)
    for name in header:
        table.add_column(name, justify="right" if name != header[0] else "left")
    for row in rows:
        table.add_row(*[_fmt(v) for v in row])
    console.print(table)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_json(directory: Path, scenario: str, result: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{scenario}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {"scenario": scenario, "machine": machine(), **result}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", "utf-8")
    latest = directory / f"{scenario}-latest.json"
    latest.write_text(path.read_text("utf-8"), "utf-8")
    return path
