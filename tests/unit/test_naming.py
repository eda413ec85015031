"""Where source tables land in DuckDB and how identifiers are quoted (text only)."""

from __future__ import annotations

import pytest

from cdc_pipeline.sink.naming import (
    TargetTable,
    qualified,
    quote_ident,
    source_key,
    target_schema,
    target_table,
)


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("users", '"users"'),
        ("Users", '"Users"'),
        ("with space", '"with space"'),
        ('my "id"', '"my ""id"""'),
        ('"', '""""'),
        ("select", '"select"'),
        ("ORDER", '"ORDER"'),
        ("Größe", '"Größe"'),
        ("日本", '"日本"'),
        ("a.b", '"a.b"'),
        ("", '""'),
        ("x'y", '"x\'y"'),
    ],
)
def test_quote_ident_always_quotes_and_doubles_inner_quotes(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_qualified_quotes_both_parts_so_dots_stay_inside_names() -> None:
    assert qualified("a.b", "c") == '"a.b"."c"'


@pytest.mark.parametrize(
    ("source", "duck"),
    [("public", "main"), ("sales", "sales"), ("Public", "Public"), ("PUBLIC", "PUBLIC"), ("main", "main")],
)
def test_only_public_becomes_main(source: str, duck: str) -> None:
    assert target_schema(source) == duck


def test_target_table_keeps_exact_spelling() -> None:
    assert target_table("public", "My Users") == TargetTable("main", "My Users")
    assert target_table("public", "users").sql == '"main"."users"'
    assert target_table('we"ird', "T").sql == '"we""ird"."T"'
    assert target_table("public", "users").is_default_schema
    assert not target_table("sales", "orders").is_default_schema


def test_source_key_is_schema_dot_table() -> None:
    assert source_key("public", "users") == "public.users"
