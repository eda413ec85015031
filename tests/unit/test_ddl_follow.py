"""Pure rules of following DDL: which DEFAULT is a constant, which DuckDB column is which source column."""

from __future__ import annotations

import pytest

from cdc_pipeline.connectors.model import TableRef
from cdc_pipeline.connectors.preflight import evaluate
from cdc_pipeline.connectors.source_db import SourceFacts, TableFacts
from cdc_pipeline.sink.defaults import is_constant_default
from cdc_pipeline.sink.renames import AmbiguousRename, plan_identity


@pytest.mark.parametrize(
    "expression",
    [
        "7",
        "(-5)",
        "'-1'::integer",
        "'abc'::text",
        "'it''s'::character varying",
        "'2024-01-01 00:00:00'::timestamp without time zone",
        "true",
        "NULL::integer",
        "'{1,2}'::integer[]",
        "1.5",
        "'x'::character varying(10)",
        "'00000000-0000-0000-0000-000000000000'::uuid",
        "('5'::numeric(10,2))",
    ],
)
def test_literals_are_constant(expression: str) -> None:
    assert is_constant_default(expression)


@pytest.mark.parametrize(
    "expression",
    [
        None,
        "now()",
        "CURRENT_TIMESTAMP",
        "clock_timestamp()",
        "gen_random_uuid()",
        "random()",
        "nextval('t_id_seq'::regclass)",
        "('now'::text)::date",
        "'today'::date",
        "(1 + 2)",
        "'a'::text || 'b'::text",
        "CURRENT_DATE",
        "(random() * (10)::double precision)",
    ],
)
def test_everything_else_is_volatile(expression: str | None) -> None:
    assert not is_constant_default(expression)


def test_unchanged_columns_match_by_attnum() -> None:
    plan = plan_identity(["id", "b"], ["id", "b"], {"id": 1, "b": 2}, {"id": 1, "b": 2})
    assert plan.renames == [] and plan.new_columns == [] and plan.attnums == {"id": 1, "b": 2}


def test_a_rename_is_found_by_attnum() -> None:
    plan = plan_identity(["id", "j"], ["id", "i"], {"id": 1, "i": 2}, {"id": 1, "j": 2})
    assert plan.renames == [("i", "j")] and plan.new_columns == []


def test_rename_then_add_of_the_old_name() -> None:
    """i renamed to j, then a new column i: DuckDB's i becomes j, and a new i is added."""
    plan = plan_identity(["id", "j", "i"], ["id", "i"], {"id": 1, "i": 2}, {"id": 1, "j": 2, "i": 3})
    assert plan.new_columns == ["i"]
    assert plan.renames == [("i", "j")]


def test_swap_goes_through_temporary_names() -> None:
    plan = plan_identity(
        ["id", "b", "a"], ["id", "a", "b"], {"id": 1, "a": 2, "b": 3}, {"id": 1, "b": 2, "a": 3}
    )
    assert plan.renames == [
        ("a", "__cdc_rename_0"),
        ("b", "__cdc_rename_1"),
        ("__cdc_rename_0", "b"),
        ("__cdc_rename_1", "a"),
    ]


def test_a_new_column_next_to_a_dropped_one() -> None:
    """x was dropped (DuckDB keeps it, its attnum is known), y is new: no rename."""
    plan = plan_identity(["id", "y"], ["id", "x"], {"id": 1, "x": 2}, {"id": 1, "y": 3})
    assert plan.renames == [] and plan.new_columns == ["y"]


def test_unknown_identity_is_refused() -> None:
    """DuckDB's x has no recorded attnum: y might be x renamed."""
    with pytest.raises(AmbiguousRename, match="may be DuckDB's 'x' renamed"):
        plan_identity(["id", "y"], ["id", "x"], {"id": 1}, {"id": 1, "y": 3})


def test_renamed_twice_before_the_event_is_refused() -> None:
    """The event says j, the catalog already says k: j is unknown to the catalog and i is unmatched."""
    with pytest.raises(AmbiguousRename, match="no longer in PostgreSQL's catalog"):
        plan_identity(["id", "j"], ["id", "i"], {"id": 1, "i": 2}, {"id": 1, "k": 2})


def test_a_new_column_with_the_name_of_a_dropped_one_is_refused() -> None:
    with pytest.raises(AmbiguousRename, match="which DuckDB keeps under that name"):
        plan_identity(["id", "x"], ["id", "x", "y"], {"id": 1, "x": 2, "y": 4}, {"id": 1, "x": 3, "y": 4})


def test_unknown_new_column_is_added_when_nothing_is_unmatched() -> None:
    plan = plan_identity(["id", "z"], ["id"], {"id": 1}, {"id": 1})
    assert plan.new_columns == ["z"] and plan.renames == []


def test_preflight_names_the_new_name_of_a_renamed_table() -> None:
    facts = SourceFacts(
        wal_level="logical",
        user="cdc",
        can_replicate=True,
        max_replication_slots=10,
        tables=[TableFacts(TableRef("public", "a"), False, renamed_to="public.b")],
    )
    [problem] = evaluate(facts, "slot", {})
    assert problem.line() == (
        "table public.a does not exist; the connector's publication holds public.b instead, so it was "
        "probably renamed (ALTER TABLE ... RENAME TO); fix: in cdc.yaml `tables` replace public.a with "
        "public.b and run `cdc connectors apply` again (public.b is then snapshotted anew)"
    )
