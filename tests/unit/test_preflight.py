"""Every preflight problem, with the message and the fix a user sees (pure: facts in, problems out)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import PreflightError, evaluate
from cdc_pipeline.connectors.source_db import SlotFacts, SourceFacts, TableFacts
from cdc_pipeline.type_contract import ColumnType

USERS = TableRef("public", "users")
SLOT = "cdc_cdc_db_connector"
HEALTHY = SourceFacts(
    wal_level="logical",
    user="cdc",
    can_replicate=True,
    max_replication_slots=10,
    slots=[],
    tables=[TableFacts(USERS, True, has_primary_key=True, replica_identity="d")],
)


def lines(facts: SourceFacts, key_columns: dict[str, list[str]] | None = None) -> list[str]:
    return [p.line() for p in evaluate(facts, SLOT, key_columns or {})]


def test_a_healthy_source_has_no_problem() -> None:
    assert lines(HEALTHY) == []


def test_wal_level_not_logical() -> None:
    assert lines(replace(HEALTHY, wal_level="replica")) == [
        "wal_level is 'replica', logical decoding needs 'logical'; fix: run "
        "`ALTER SYSTEM SET wal_level = logical;` (or set it in postgresql.conf), restart PostgreSQL"
    ]


def test_user_without_replication_privilege() -> None:
    assert lines(replace(HEALTHY, user="App User", can_replicate=False)) == [
        "user App User lacks the REPLICATION privilege Debezium needs for a replication slot; "
        'fix: as a superuser run `ALTER ROLE "App User" WITH REPLICATION;`'
    ]


def test_listed_table_missing() -> None:
    facts = replace(HEALTHY, tables=[TableFacts(TableRef("public", "Users"), False)])
    assert lines(facts) == [
        "table public.Users does not exist (names are case-sensitive); "
        "fix: create it, or remove public.Users from the table list"
    ]


def test_table_without_primary_key_prints_the_exact_alter() -> None:
    facts = replace(HEALTHY, tables=[TableFacts(TableRef("public", "log"), True, False, "d")])
    assert lines(facts) == [
        "table public.log has no primary key: once published, PostgreSQL refuses its UPDATE and DELETE; "
        "fix: run `ALTER TABLE public.log REPLICA IDENTITY FULL;`, or add a primary key, "
        "or set key_columns for public.log"
    ]


def test_replica_identity_nothing_blocks_even_with_a_primary_key() -> None:
    facts = replace(HEALTHY, tables=[TableFacts(TableRef("sales", "Deals"), True, True, "n")])
    problems = evaluate(facts, SLOT, {})
    assert [p.blocking for p in problems] == [True]
    assert "sales.Deals has REPLICA IDENTITY NOTHING" in problems[0].message
    assert 'ALTER TABLE sales."Deals" REPLICA IDENTITY FULL;' in problems[0].fix


@pytest.mark.parametrize("identity", ["f", "i"])
def test_full_or_index_identity_makes_a_keyless_table_usable(identity: str) -> None:
    facts = replace(HEALTHY, tables=[TableFacts(TableRef("public", "log"), True, False, identity)])
    assert lines(facts) == []


def test_key_override_turns_a_missing_identity_into_a_warning() -> None:
    facts = replace(HEALTHY, tables=[TableFacts(TableRef("public", "log"), True, False, "d")])
    problems = evaluate(facts, SLOT, {"public.log": ["seq"]})
    assert [p.blocking for p in problems] == [False]
    assert problems[0].line() == (
        "table public.log has no primary key: once published, PostgreSQL refuses its UPDATE and DELETE "
        "(key override seq only keys the stream); fix: run `ALTER TABLE public.log REPLICA IDENTITY FULL;`"
    )


def test_key_override_on_a_table_with_a_primary_key_suggests_full_identity() -> None:
    problems = evaluate(HEALTHY, SLOT, {"public.users": ["email"]})
    assert [p.blocking for p in problems] == [False]
    assert "deletes carry only the replica identity's columns" in problems[0].message


def test_no_replication_slot_left() -> None:
    used = [SlotFacts("other_a", True), SlotFacts("old_b", False)]
    assert lines(replace(HEALTHY, max_replication_slots=2, slots=used)) == [
        "all 2 replication slots are in use, none left for cdc_cdc_db_connector; "
        "fix: drop an unused slot, e.g. `SELECT pg_drop_replication_slot('old_b');` (inactive: old_b)"
    ]
    busy = [SlotFacts("a", True), SlotFacts("b", True)]
    assert lines(replace(HEALTHY, max_replication_slots=2, slots=busy))[0].endswith(
        "fix: raise max_replication_slots in postgresql.conf and restart PostgreSQL"
    )


def test_our_existing_slot_counts_as_free() -> None:
    slots = [SlotFacts("a", True), SlotFacts(SLOT, False)]
    assert lines(replace(HEALTHY, max_replication_slots=2, slots=slots)) == []


def test_preflight_error_lists_every_blocking_problem_with_its_fix() -> None:
    facts = replace(HEALTHY, wal_level="replica", can_replicate=False)
    error = PreflightError("cdc_db_connector", evaluate(facts, SLOT, {}))
    text = str(error)
    assert text.startswith("preflight for connector cdc_db_connector failed:\n  - wal_level is 'replica'")
    assert text.count("\n  - ") == 2 and text.count("fix: ") == 2


def test_a_missing_table_alone_is_one_line_naming_it_and_the_fix() -> None:
    facts = replace(HEALTHY, tables=[TableFacts(TableRef("public", "Users"), False)])
    error = PreflightError("cdc_db_connector", evaluate(facts, SLOT, {}))
    assert str(error) == (
        "preflight for connector cdc_db_connector failed: table public.Users does not exist (names are "
        "case-sensitive); fix: create it, or remove public.Users from the table list"
    )


def _with_columns(*columns: tuple[str, ColumnType]) -> SourceFacts:
    return replace(HEALTHY, tables=[replace(HEALTHY.tables[0], columns=tuple(columns))])


INT_ARRAY = ColumnType("_int4", "b", element="int4", element_typtype="b", dimensions=1)


def test_an_array_column_without_a_dimension_check_is_warned_with_the_check_to_add() -> None:
    [problem] = evaluate(_with_columns(("tags", INT_ARRAY)), SLOT, {})
    assert not problem.blocking and problem.check == "array_dimensions"
    assert "public.users.tags is an array" in problem.message and "silently" in problem.message
    check = "`ALTER TABLE public.users ADD CHECK (array_ndims(tags) = 1);`"
    assert problem.fix == f"run {check} so PostgreSQL refuses such values"


def test_a_checked_or_excluded_array_column_is_not_warned() -> None:
    checked = replace(INT_ARRAY, dimensions_checked=True)
    assert evaluate(_with_columns(("tags", checked)), SLOT, {}) == []
    assert evaluate(_with_columns(("tags", INT_ARRAY)), SLOT, {}, ["public.users.tags"]) == []


def test_an_interval_column_is_warned_that_debezium_can_lose_a_microsecond() -> None:
    interval = ColumnType("interval", "b")
    [problem] = evaluate(_with_columns(("span", interval)), SLOT, {})
    assert not problem.blocking and problem.check == "interval_precision"
    assert "public.users.span is an interval" in problem.message and "1 µs short" in problem.message
    assert "ALTER TABLE public.users ALTER COLUMN span TYPE bigint" in problem.fix
    assert evaluate(_with_columns(("span", interval)), SLOT, {}, ["public.users.span"]) == []
