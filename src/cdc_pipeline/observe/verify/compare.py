"""Compare one table in PostgreSQL and DuckDB: counts and checksums per key bucket, then the differing keys.

Both sides group their rows into the same buckets (by a hash of the key) and return, per bucket, the row
count and the sum of 60-bit row hashes (:mod:`.verify_sql`). Equal tables have equal buckets. Where buckets
differ, only those buckets' keys and row hashes are fetched (at most ``MAX_BUCKETS_FETCHED`` of them), and
the keys are sorted into missing (in PostgreSQL only), extra (in DuckDB only) and changed. A sum of hashes,
unlike a XOR, also tells a duplicated row from a missing one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cdc_pipeline.observe.verify import sql as verify_sql
from cdc_pipeline.observe.verify.sql import ColumnPair

MAX_BUCKETS = 16_384
ROWS_PER_BUCKET = 200
MAX_BUCKETS_FETCHED = 32
Rows = Sequence[Sequence[Any]]
Fetch = Callable[[str], Rows]
Buckets = dict[int, tuple[int, int]]


@dataclass(frozen=True)
class TableShape:
    """What both sides are asked about: the common columns, the key, the two table names as SQL."""

    pg_table: str
    duck_table: str
    columns: list[ColumnPair]
    keys: list[str]
    buckets: int


@dataclass
class Differences:
    rows_pg: int = 0
    rows_duck: int = 0
    checksum_pg: int = 0
    checksum_duck: int = 0
    missing: list[dict[str, str]] = field(default_factory=list)
    extra: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, str]] = field(default_factory=list)
    missing_count: int = 0
    extra_count: int = 0
    changed_count: int = 0
    counts_exact: bool = True  # False when only some differing buckets were examined

    @property
    def equal(self) -> bool:
        return self.rows_pg == self.rows_duck and self.checksum_pg == self.checksum_duck


def bucket_count(estimated_rows: int) -> int:
    """About ROWS_PER_BUCKET rows per bucket, so a differing bucket is cheap to list."""
    return max(1, min(MAX_BUCKETS, estimated_rows // ROWS_PER_BUCKET))


def _buckets(rows: Rows) -> Buckets:
    return {int(b): (int(n), int(s)) for b, n, s in rows}


def compare(shape: TableShape, pg: Fetch, duck: Fetch, sample: int) -> Differences:
    """Counts and checksums, and when they differ a bounded sample of the differing keys."""
    pg_buckets = _buckets(pg(_sums(shape, "pg")))
    duck_buckets = _buckets(duck(_sums(shape, "duck")))
    result = Differences(
        rows_pg=sum(n for n, _ in pg_buckets.values()),
        rows_duck=sum(n for n, _ in duck_buckets.values()),
        checksum_pg=sum(s for _, s in pg_buckets.values()),
        checksum_duck=sum(s for _, s in duck_buckets.values()),
    )
    differing = sorted(
        b for b in pg_buckets.keys() | duck_buckets.keys() if pg_buckets.get(b) != duck_buckets.get(b)
    )
    if not differing:
        return result
    chosen = differing[:MAX_BUCKETS_FETCHED]
    result.counts_exact = len(chosen) == len(differing)
    pg_rows = pg(_rows(shape, chosen, "pg"))
    duck_rows = duck(_rows(shape, chosen, "duck"))
    _classify(shape, pg_rows, duck_rows, sample, result)
    return result


def _sums(shape: TableShape, dialect: verify_sql.Dialect) -> str:
    table = shape.pg_table if dialect == "pg" else shape.duck_table
    return verify_sql.bucket_sums(table, shape.columns, shape.keys, shape.buckets, dialect)


def _rows(shape: TableShape, chosen: Sequence[int], dialect: verify_sql.Dialect) -> str:
    table = shape.pg_table if dialect == "pg" else shape.duck_table
    return verify_sql.rows_in_buckets(
        table, columns=shape.columns, keys=shape.keys, buckets=shape.buckets, chosen=chosen, dialect=dialect
    )


def _shown(shape: TableShape, key: tuple[str, ...]) -> dict[str, str]:
    if shape.keys:
        return dict(zip(shape.keys, key, strict=True))
    text = key[0]
    return {"row": text if len(text) <= 200 else text[:200] + "..."}


def _classify(shape: TableShape, pg_rows: Rows, duck_rows: Rows, sample: int, out: Differences) -> None:
    """Rows are (key texts..., bucket, hash). With a key: by key; without: as multisets of whole rows."""
    width = max(len(shape.keys), 1)

    def keyed(rows: Rows) -> Counter[tuple[tuple[str, ...], int]]:
        return Counter((tuple(str(v) for v in r[:width]), int(r[width + 1])) for r in rows)

    pg_set, duck_set = keyed(pg_rows), keyed(duck_rows)
    only_pg, only_duck = pg_set - duck_set, duck_set - pg_set
    if shape.keys:
        pg_keys = {k for k, _ in only_pg.elements()}
        duck_keys = {k for k, _ in only_duck.elements()}
        missing, extra = sorted(pg_keys - duck_keys), sorted(duck_keys - pg_keys)
        changed = sorted(pg_keys & duck_keys)
    else:
        missing = sorted(k for k, _ in only_pg.elements())
        extra = sorted(k for k, _ in only_duck.elements())
        changed = []
    out.missing_count, out.extra_count, out.changed_count = len(missing), len(extra), len(changed)
    out.missing = [_shown(shape, k) for k in missing[:sample]]
    out.extra = [_shown(shape, k) for k in extra[:sample]]
    out.changed = [_shown(shape, k) for k in changed[:sample]]
