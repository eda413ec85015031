"""What the sink logs and counts for records it does not apply: dead letters, and keyless changes."""

from __future__ import annotations

import logging

import pytest

from cdc_pipeline.sink import loop
from cdc_pipeline.sink.protocol import BatchOutcome
from cdc_pipeline.sink.source import BadRecord, DroppedEvents
from cdc_pipeline.sink.stats import SinkStats
from cdc_pipeline.sink_process import Progress
from tests.prometheus_text import parse, sample

TOPIC = "dbserver1.public.orders"


def table_of(topic: str) -> str:
    return topic.removeprefix("dbserver1.")


def bad(offset: int, column: str = "n") -> BadRecord:
    return BadRecord(TOPIC, 0, offset, "public.orders", column, "value 'x' is not an integer")


def test_each_dead_letter_is_one_line_with_its_reason_and_the_way_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="cdc_pipeline.sink"):
        loop._log_dead_letters([bad(7), BadRecord(TOPIC, 0, 8, "", "", "not JSON")], table_of)
    first, second = (r.getMessage() for r in caplog.records)
    assert first == (
        f"dead-lettered topic {TOPIC} partition 0 offset 7 of table public.orders: "
        "value 'x' is not an integer; list them with `cdc dead-letter list`, and after fixing the cause "
        "`cdc dead-letter replay --table public.orders`"
    )
    assert "offset 8 of table public.orders: not JSON;" in second, "the table from the topic when unnamed"


def test_a_burst_is_summed_up_after_the_first_lines(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cdc_pipeline.sink"):
        loop._log_dead_letters([bad(i) for i in range(loop.DEAD_LETTER_LINES + 5)], table_of)
    assert len(caplog.records) == loop.DEAD_LETTER_LINES + 1
    assert caplog.records[-1].getMessage().startswith("dead-lettered 5 more record(s) in this batch")


def test_progress_counts_each_dead_letter_by_its_topic() -> None:
    stats = SinkStats()
    Progress(stats).add(BatchOutcome(events=3, dead_letters=[bad(1), bad(2)]))
    assert sample(parse(stats.metrics_text().decode()), "cdc_dead_lettered_total", topic=TOPIC) == 2


def test_unapplied_keyless_changes_are_warned_once_per_table_with_the_fix(
    caplog: pytest.LogCaptureFixture,
) -> None:
    warned: set[str] = set()
    dropped = [DroppedEvents("public.h", "dbserver1.public.h", duplicates=0, unapplied=3)]
    with caplog.at_level(logging.WARNING, logger="cdc_pipeline.sink"):
        loop._warn_unapplied(dropped, warned)
        loop._warn_unapplied(dropped, warned)  # the next batch: no second line
        loop._warn_unapplied(
            [DroppedEvents("public.g", "dbserver1.public.g", 5, 0)], warned
        )  # duplicates only
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("table public.h has no primary key and no REPLICA IDENTITY FULL: 3 update/delete")
    assert 'ALTER TABLE "public"."h" REPLICA IDENTITY FULL;' in line
    assert "`cdc connectors apply`, `cdc tables resnapshot public.h`" in line
