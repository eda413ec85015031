"""``cdc verify``: is each replicated table in DuckDB what PostgreSQL holds?

For each table (the ones named, else every row of ``_cdc.tables``): wait for a consistent point
(:mod:`.verify_wait`), then compare row counts and checksums, and on a mismatch sample the differing keys
(:mod:`.verify_compare`). PostgreSQL keeps changing while we look, so a table that differs while the source's
WAL moved is checked again (up to ``attempts`` times); a difference seen only while the source moved is
undecided, not different.

Exit codes: 0 every table equal, 1 a table differs, 2 undecided (no consistent point, or a table could not be
compared).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import psycopg

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.model import slot_name
from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.client import Replica, fetch, open_replica
from cdc_pipeline.observe.verify import catalog as verify_catalog
from cdc_pipeline.observe.verify.compare import Differences, compare
from cdc_pipeline.observe.verify.wait import UndecidedError, current_lsn, reach_consistent_point
from cdc_pipeline.sample import postgres_dsn

Verdict = Literal["equal", "different", "undecided"]
EXIT_CODES: dict[Verdict, int] = {"equal": 0, "different": 1, "undecided": 2}


@dataclass
class TableReport:
    source_table: str
    target_table: str
    verdict: Verdict
    differences: Differences | None = None
    note: str = ""
    attempts: int = 0


@dataclass
class VerifyReport:
    tables: list[TableReport] = field(default_factory=list)
    consistent_lsn: str | None = None
    waited_s: float = 0.0
    undecided_reason: str | None = None
    via: str = ""

    @property
    def verdict(self) -> Verdict:
        if self.undecided_reason or any(t.verdict == "undecided" for t in self.tables):
            return "undecided"
        return "different" if any(t.verdict == "different" for t in self.tables) else "equal"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "exit_code": self.exit_code, **asdict(self)}


@dataclass(frozen=True)
class VerifyOptions:
    tables: Sequence[str] = ()  # schema.table or table (public); empty: every replicated table
    wait: bool = True  # wait for a consistent point first (off: compare what is there now)
    timeout_s: float = 60.0
    sample: int = 10
    attempts: int = 3


def verify(settings: Settings, options: VerifyOptions) -> VerifyReport:
    """Open PostgreSQL and the replica (the sink's endpoint, else the file read-only), then compare."""
    try:
        with (
            psycopg.connect(postgres_dsn(settings), autocommit=True) as pg,
            open_replica(settings) as replica,
        ):
            return verify_with(pg, replica, settings, options)
    except psycopg.OperationalError as exc:
        raise CdcError(
            f"cannot connect to PostgreSQL: {exc}".strip(), "is the stack up (`cdc status`)?"
        ) from exc


def verify_with(
    pg: psycopg.Connection[Any], replica: Replica, settings: Settings, options: VerifyOptions
) -> VerifyReport:
    report = VerifyReport(via=replica.via)
    sources = verify_catalog.tables_to_verify(replica, options.tables)
    if not sources:
        report.undecided_reason = "no replicated tables: _cdc.tables is empty and no table was named"
        return report
    topics = [f"{settings.topic_prefix}.{source}" for source in sources]
    for source in sources:
        report.tables.append(
            _verify_table(
                pg,
                replica=replica,
                settings=settings,
                options=options,
                source=source,
                topics=topics,
                report=report,
            )
        )
        if report.undecided_reason:
            break
    return report


def _verify_table(
    pg: psycopg.Connection[Any],
    *,
    replica: Replica,
    settings: Settings,
    options: VerifyOptions,
    source: str,
    topics: Sequence[str],
    report: VerifyReport,
) -> TableReport:
    def wait() -> str | None:
        return _wait_consistent(pg, replica, settings=settings, options=options, topics=topics, report=report)

    undecided = wait()
    try:
        shape = verify_catalog.table_shape(pg, replica, source)
    except CdcError as exc:
        return TableReport(source, "", "undecided", note=str(exc))
    table = TableReport(source, shape.duck_table, "undecided", note=undecided or shape.note)
    if undecided:
        return table
    if not shape.duck_exists:
        return _absent_in_duckdb(pg, shape.shape.pg_table, table)
    return _compare_until_settled(pg, replica, options=options, shape=shape, table=table, wait=wait)


def _wait_consistent(
    pg: psycopg.Connection[Any],
    replica: Replica,
    *,
    settings: Settings,
    options: VerifyOptions,
    topics: Sequence[str],
    report: VerifyReport,
) -> str | None:
    """Reach a consistent point first (a table the sink has yet to create must not read as missing)."""
    if not options.wait:
        return None
    try:
        point = reach_consistent_point(
            pg,
            replica,
            slot=slot_name(settings),
            bootstrap=settings.bootstrap_servers,
            topics=topics,
            timeout_s=options.timeout_s,
        )
    except UndecidedError as exc:
        report.undecided_reason = str(exc)
        return str(exc)
    report.consistent_lsn, report.waited_s = point.lsn, report.waited_s + point.waited_s
    return None


def _compare_until_settled(
    pg: psycopg.Connection[Any],
    replica: Replica,
    *,
    options: VerifyOptions,
    shape: verify_catalog.CatalogShape,
    table: TableReport,
    wait: Callable[[], str | None],
) -> TableReport:
    """Compare; a difference counts once the source stood still or the same keys differ again later."""
    previous: list[Any] = []
    for attempt in range(1, max(1, options.attempts) + 1):
        table.attempts = attempt
        if attempt > 1 and (undecided := wait()):
            table.note = undecided
            return table
        started = current_lsn(pg)
        with pg.transaction():
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            table.differences = compare(
                shape.shape,
                lambda sql: pg.execute(sql).fetchall(),
                lambda sql: fetch(replica, sql),
                options.sample,
            )
        if table.differences.equal and not shape.missing_columns:
            table.verdict = "equal"
            return table
        seen = _sample_keys(table.differences)
        if current_lsn(pg) == started or not options.wait or (seen and seen == previous):
            table.verdict = "different"
            return table
        previous = seen
        time.sleep(0.2)
    table.note = (table.note + "; " if table.note else "") + (
        f"PostgreSQL kept changing during {options.attempts} attempts; differences may be changes in flight"
    )
    return table


def _sample_keys(differences: Differences) -> list[Any]:
    return [differences.missing, differences.extra, differences.changed] if not differences.equal else []


def _absent_in_duckdb(pg: psycopg.Connection[Any], pg_table: str, table: TableReport) -> TableReport:
    """No DuckDB table: right only while PostgreSQL's is empty (Debezium sends nothing for an empty table)."""
    row = pg.execute(f"SELECT count(*) FROM {pg_table}").fetchone()
    rows = int(row[0]) if row else 0
    table.differences = Differences(rows_pg=rows, missing_count=rows)
    table.verdict = "equal" if rows == 0 else "different"
    table.note = "not in DuckDB" + ("; the PostgreSQL table is empty" if rows == 0 else "")
    return table
