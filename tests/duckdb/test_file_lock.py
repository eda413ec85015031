"""A second sink on the same DuckDB file is one line naming the file, the holder and the fix."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdc_pipeline.sink.duckdb_target import DuckDBTarget, FileLockedError

HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"


def test_a_file_another_process_holds_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(FileLockedError) as caught:
            DuckDBTarget(path)
        message = str(caught.value)
        assert str(path) in message and f"process {holder.pid}" in message
        assert "cdc down" in message and "duckdb_path" in message and "\n" not in message
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    with DuckDBTarget(path):  # once the holder is gone the file opens
        pass
