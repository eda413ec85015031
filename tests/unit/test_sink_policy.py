"""The SINK_ON_ERROR policy, the recovery command of a stopped table, and the admin request parsing."""

from __future__ import annotations

import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.sink.policy import core_policy, parse_on_error
from cdc_pipeline.sink.tables_admin import (
    ActionReport,
    TablesReport,
    TableState,
    action_from_request,
    fix_command,
    report_from_json,
)


@pytest.mark.parametrize(
    ("given", "policy"),
    [
        ("stop-table", "stop-table"),
        ("STOP_TABLE", "stop-table"),
        ("dead-letter", "dead-letter"),
        ("dead_letter", "dead-letter"),
        ("stop-sink", "stop-sink"),
        ("stop", "stop-sink"),
    ],
)
def test_policy_names_and_the_stop_alias(given: str, policy: str) -> None:
    assert parse_on_error(given) == policy
    assert Settings(sink_on_error=given).sink_on_error == policy


def test_default_policy_keeps_the_other_tables_flowing() -> None:
    assert Settings().sink_on_error == "stop-table"


def test_unknown_policy_is_refused_with_the_accepted_names() -> None:
    with pytest.raises(ValueError, match="stop-table, dead-letter, stop-sink"):
        parse_on_error("ignore")


def test_only_dead_letter_consumes_past_a_bad_record() -> None:
    assert [core_policy(p) for p in ("stop-table", "dead-letter", "stop-sink")] == [
        "stop",
        "dead_letter",
        "stop",
    ]


def stopped(reason: str) -> TableState:
    return TableState("public.t", '"main"."t"', "stopped", reason, "p.public.t", 0, 5)


def test_each_stop_names_its_recovery_command() -> None:
    assert fix_command(stopped("bad record at ...")) == (
        "cdc tables skip public.t --topic p.public.t --partition 0 --offset 5"
    )
    assert fix_command(stopped("table public.t: column 'x' changed type from A to B")) == (
        "cdc tables resnapshot public.t"
    )
    assert (
        fix_command(stopped("table public.t: DuckDB failed to upsert rows")) == "cdc tables resume public.t"
    )
    retry = (
        "DuckDB failed. then `cdc tables resume public.t`, or rebuild with `cdc tables resnapshot public.t`"
    )
    assert fix_command(stopped(retry)) == "cdc tables resume public.t", (
        "resume comes first where both are named"
    )
    added = "table public.t: column 'c' was added ... rebuild it with `cdc tables resnapshot public.t`"
    assert fix_command(stopped(added)) == "cdc tables resnapshot public.t"
    keyless = "table public.t: ... no primary key. give it key_columns, ..., `cdc tables resnapshot public.t`"
    assert fix_command(stopped(keyless)) == (
        "set key_columns for public.t, `cdc connectors apply`, then `cdc tables resnapshot public.t`"
    )
    assert fix_command(TableState("public.t", None, "running")) is None


def test_admin_requests_are_validated() -> None:
    assert callable(
        action_from_request({"action": "skip", "table": "a.b", "topic": "t", "partition": 0, "offset": 3})
    )
    with pytest.raises(ValueError, match="missing or invalid field"):
        action_from_request({"action": "skip", "table": "a.b"})
    with pytest.raises(ValueError, match="unknown action"):
        action_from_request({"action": "drop"})


def test_reports_round_trip_through_json() -> None:
    tables = TablesReport([stopped("bad record at ...")])
    assert report_from_json(tables.to_json()) == tables
    action = ActionReport("skip", "public.t", "skipped", [("p.public.t", 0, 6)])
    assert report_from_json(action.to_json()) == action
