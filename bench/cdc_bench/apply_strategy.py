"""Scenario ``apply``: upsert strategies against the size of the target table (100k, 1M, 10M rows).

Each batch is what the sink applies for one table after coalescing: ``upserts`` rows (half updates of random
existing keys, half new keys) and ``deletes`` keys of random existing rows, in one transaction. Strategies:

- ``merge``: no index; ``DELETE ... USING`` the deleted keys, then one ``MERGE`` (what the sink did before
  issue 6, and still does for a batch with unsent TOAST values or dropped columns);
- ``delete_insert`` (the sink from issue 6 to 11, and still for a batch with only deletes or only upserts):
  no index; ``DELETE ... USING`` the deleted keys, the upserts staged in a temporary table, ``DELETE ...
  USING`` their keys (hash join), ``INSERT``: two scans of the key column;
- ``one_scan`` (what the sink does for a batch with both, issue 11): the upserts staged, ONE join of the
  table with the deleted keys (tagged) and the staged keys into a temporary table of rowids, a delete by
  rowid, ``INSERT``;
  all three use the SQL of :mod:`cdc_pipeline.sink.dml`, so the statements measured are the ones the sink
  runs;
- ``pk_replace``: ``PRIMARY KEY``; ``DELETE ... WHERE key IN``, then ``INSERT OR REPLACE``;
- ``pk_merge``: ``PRIMARY KEY`` and the same ``MERGE``.

Rates are changed rows (upserts + deletes) per second, the median over ``batches`` batches.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
from cdc_bench.report import print_table
from cdc_pipeline.sink import dml
from cdc_pipeline.sink.naming import TargetTable

STRATEGIES = ("merge", "delete_insert", "one_scan", "pk_replace", "pk_merge")
COLUMNS = [
    ("id", "BIGINT"),
    ("account_id", "BIGINT"),
    ("amount", "DECIMAL(12,2)"),
    ("qty", "INTEGER"),
    ("note", "VARCHAR"),
    ("created_at", "TIMESTAMP"),
    ("score", "DOUBLE"),
]
_VALUES = (
    "{k} AS id, {k} % 10007 AS account_id, "
    "CAST(({k} * 31 + {v}) % 100000000 AS DECIMAL(12,2)) / 100 AS amount, "
    "CAST(({k} + {v}) % 50 AS INTEGER) AS qty, "
    "'order ' || {k} || ' v' || {v} || ' handle with care' AS note, "
    "TIMESTAMP '2024-05-01' + to_microseconds({k}) AS created_at, {k} / 7.0 + {v} AS score"
)
_SHAPE = dml.BatchShape(table=TargetTable("main", "t"), columns=COLUMNS, keys=["id"])


def _create(conn: duckdb.DuckDBPyConnection, strategy: str, rows: int) -> None:
    pk = " PRIMARY KEY" if strategy.startswith("pk_") else ""
    cols = ", ".join(f"{n} {t}{pk if n == 'id' else ''}" for n, t in COLUMNS)
    conn.execute(f"CREATE TABLE t ({cols})")
    values = _VALUES.format(k="range", v="0")
    conn.execute(f"INSERT INTO t SELECT {values} FROM range(1, {rows + 1}) ORDER BY random()")
    conn.execute("CHECKPOINT")


def _batch(
    conn: duckdb.DuckDBPyConnection, rows: int, upserts: int, deletes: int, seed: int
) -> tuple[Any, Any]:
    """Arrow tables: upserts (half existing keys, half new) and deleted keys; disjoint key sets, the same for
    every strategy (Python's seeded random, not DuckDB's, which depends on thread scheduling)."""
    del conn  # the keys come from the original key range: a key deleted by an earlier batch is inserted again
    keys = random.Random(seed).sample(range(1, rows + 1), upserts // 2 + deletes)
    updated, deleted = keys[: upserts // 2], keys[upserts // 2 :]
    new = list(range(10**12 + seed * upserts, 10**12 + seed * upserts + upserts - len(updated)))
    scratch = duckdb.connect()
    scratch.execute("CREATE TABLE k AS SELECT unnest($1::BIGINT[]) AS k", [updated + new])
    up = scratch.sql(f"SELECT {_VALUES.format(k='k', v=str(seed + 1))} FROM k ORDER BY k").to_arrow_table()
    scratch.execute("CREATE TABLE d AS SELECT unnest($1::BIGINT[]) AS id", [deleted])
    de = scratch.sql("SELECT id FROM d").to_arrow_table()
    return up, de


def _apply(conn: duckdb.DuckDBPyConnection, strategy: str, up: Any, de: Any) -> None:
    conn.register("up", up)
    conn.register("de", de)
    conn.begin()
    if strategy in ("merge", "pk_merge"):
        conn.execute(dml.delete_by_key(_SHAPE, "de"))
        conn.execute(dml.merge_upserts(_SHAPE, "up"))
    elif strategy == "one_scan":
        conn.execute(dml.stage_rows(_SHAPE, "up", "staged"))
        conn.execute(dml.tag_removed_rows(_SHAPE, "de", "staged", "tagged"))
        conn.execute(dml.delete_tagged(_SHAPE, "tagged"))
        conn.execute(dml.count_tagged_deletes("tagged")).fetchone()
        conn.execute(dml.insert_staged(_SHAPE, "staged"))
        conn.execute(dml.drop_staged("tagged"))
        conn.execute(dml.drop_staged("staged"))
    elif strategy == "delete_insert":
        conn.execute(dml.delete_by_key(_SHAPE, "de"))
        conn.execute(dml.stage_rows(_SHAPE, "up", "staged"))
        conn.execute(dml.delete_staged_keys(_SHAPE, "staged"))
        conn.execute(dml.insert_staged(_SHAPE, "staged"))
        conn.execute(dml.drop_staged("staged"))
    else:
        conn.execute("DELETE FROM t WHERE id IN (SELECT id FROM de)")
        conn.execute(f"INSERT OR REPLACE INTO t ({', '.join(n for n, _ in COLUMNS)}) SELECT * FROM up")
    conn.commit()
    conn.unregister("up")
    conn.unregister("de")


_CHECKSUM = "SELECT count(*), sum(hash(id, account_id, amount, qty, note, created_at, score)) FROM t"


def measure(
    *,
    strategy: str,
    rows: int,
    upserts: int,
    deletes: int,
    batches: int,
    work: Path,
    keep_checksums: bool = False,
) -> dict[str, Any]:
    path = work / f"{strategy}-{rows}.duckdb"
    path.unlink(missing_ok=True)
    conn = duckdb.connect(str(path))
    started = time.monotonic()
    _create(conn, strategy, rows)
    build_s = time.monotonic() - started
    times = []
    for seed in range(1, batches + 1):
        up, de = _batch(conn, rows, upserts, deletes, seed)
        started = time.monotonic()
        _apply(conn, strategy, up, de)
        times.append(time.monotonic() - started)
    final = conn.execute(_CHECKSUM if keep_checksums else "SELECT count(*) FROM t").fetchone()
    conn.close()
    path.unlink(missing_ok=True)
    median = statistics.median(times)
    return {
        "strategy": strategy,
        "table_rows": rows,
        "build_s": build_s,
        "batch_s": times,
        "rows_per_s": (upserts + deletes) / median,
        "final_rows": final[0] if final else None,
        **({"checksum": [str(v) for v in final or ()]} if keep_checksums else {}),
    }


def run(
    sizes: list[int],
    *,
    upserts: int = 50_000,
    deletes: int = 10_000,
    batches: int = 3,
    strategies: tuple[str, ...] = STRATEGIES,
    keep_checksums: bool = False,
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="cdc-bench-apply-"))
    results = [
        measure(
            strategy=s,
            rows=n,
            upserts=upserts,
            deletes=deletes,
            batches=batches,
            work=work,
            keep_checksums=keep_checksums,
        )
        for n in sizes
        for s in strategies
    ]
    shutil.rmtree(work, ignore_errors=True)  # each measure() already removed its file
    table: dict[str, dict[int, float]] = {}
    for r in results:
        table.setdefault(r["strategy"], {})[r["table_rows"]] = r["rows_per_s"]
    smallest, largest = min(sizes), max(sizes)
    scaling = {s: table[s][largest] / table[s][smallest] for s in strategies}
    rows = [[s, *[table[s].get(n, 0.0) for n in sizes], scaling[s]] for s in strategies]
    print_table(
        f"apply strategy: rows/s per batch of {upserts:,} upserts + {deletes:,} deletes"
        f" (median of {batches})",
        ["strategy", *[f"{n:,} rows" for n in sizes], f"{largest:,}/{smallest:,}"],
        rows,
    )
    return {
        "upserts": upserts,
        "deletes": deletes,
        "batches": batches,
        "results": results,
        "scaling": scaling,
    }
