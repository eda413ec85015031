"""Any identifier PostgreSQL accepts is accepted in the config and named exactly in Debezium's regex lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cdc_pipeline.config.loading import load_settings
from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import (
    parse_columns,
    parse_key_columns,
    parse_tables,
    render_table,
    split_table,
)
from cdc_pipeline.connectors.model import (
    TableRef,
    added_tables,
    connector_config,
    included_patterns,
    pattern_table,
)
from cdc_pipeline.errors import ConfigError

ODD = ["a b", "a.b", "a,b", "a;b", "a:b", 'say "hi"', "Users", "naïve ñ 表", " padded "]


@pytest.mark.parametrize("name", ODD)
def test_every_odd_name_round_trips_through_the_text_form(name: str) -> None:
    text = render_table("my schema", name)
    assert split_table(text) == ("my schema", name)
    assert parse_tables(text) == {"my schema": [name]}
    assert parse_tables(f"public.users,{text}") == {"public": ["users"], "my schema": [name]}


def test_mapping_form_takes_names_exactly() -> None:
    assert parse_tables({"public": ["a b", "a,b", 'x"y', "a.b"]}) == {"public": ["a b", "a,b", 'x"y', "a.b"]}
    assert parse_tables({"public": 'users, "a,b"'}) == {"public": ["users", "a,b"]}


def test_whole_schema_forms() -> None:
    assert parse_tables({"public": "*"}) == {"public": ["*"]}
    assert parse_tables("public.*, sales.deals") == {"public": ["*"], "sales": ["deals"]}
    assert parse_tables(["public.*"]) == {"public": ["*"]}
    with pytest.raises(ValueError, match=r"both \* \(every table\) and single tables \(users\)"):
        parse_tables({"public": ["*", "users"]})


def test_tables_setting_from_env_and_yaml_accepts_odd_names(tmp_path: Path) -> None:
    (tmp_path / "cdc.yaml").write_text('tables: {public: ["a b", "Users"], "My Schema": "*"}\n')
    assert load_settings(tmp_path, environ={}).settings.tables == {
        "public": ["a b", "Users"],
        "My Schema": ["*"],
    }
    loaded = load_settings(tmp_path, environ={"CDC_TABLES": 'public."a,b;c:d",public."q""uote"'})
    assert loaded.settings.tables == {"public": ["a,b;c:d", 'q"uote']}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("public.a.b", "double-quote a name holding a dot"),
        ('public."a b', "is not a name"),
        ("public.", "is not a schema.table name"),
        ("users", "is not a schema.table name"),
    ],
)
def test_malformed_names_say_how_to_quote(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_tables(text)


def test_a_table_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"table public\.users is listed twice"):
        parse_tables("public.users,public.users")


def test_columns_and_keys_with_odd_names() -> None:
    assert parse_columns('public."a b"."e,mail", public.users.email') == [
        'public.a b."e,mail"',
        "public.users.email",
    ]
    assert parse_key_columns('public."a;b":"x y",z;public.log:seq') == {
        'public."a;b"': ["x y", "z"],
        "public.log": ["seq"],
    }


def test_include_list_escapes_metacharacters_and_commas_and_is_case_exact() -> None:
    tables = [TableRef("public", "a,b"), TableRef("public", "x.y (1)"), TableRef("Sales", "Deals")]
    config = connector_config(Settings(), tables)
    assert config["table.include.list"] == r"(?-i)public.a\,b,(?-i)public.x\.y\ \(1\),(?-i)Sales.Deals"
    assert included_patterns(config) == {t.include_pattern for t in tables}
    # each pattern matches its own "schema.table" and nothing else (Python's re reads them as Java does)
    names = ["public.a,b", "public.x.y (1)", "Sales.Deals", "public.aXb", "sales.deals", "public.x.y (1)z"]
    for table in tables:
        java = table.include_pattern.removeprefix("(?-i)").replace(
            "\\,", ","
        )  # (?-i): case-exact, Python's default
        matched = [n for n in names if re.fullmatch(java, n)]
        assert matched == [f"{table.schema}.{table.table}"]


def test_whole_schema_pattern() -> None:
    config = connector_config(Settings(), [TableRef("public", "*"), TableRef("sales", "deals")])
    assert config["table.include.list"] == r"(?-i)public\..+,(?-i)sales.deals"
    assert [pattern_table(p) for p in sorted(included_patterns(config))] == [
        TableRef("public", "*"),
        TableRef("sales", "deals"),
    ]
    assert re.fullmatch(r"public\..+", "public.created_later")
    assert not re.fullmatch(r"public\..+", "Public.x")


def test_a_connector_stored_with_the_older_patterns_adds_no_table() -> None:
    stored = {"table.include.list": "public.users,public.orders"}
    tables = [TableRef("public", "users"), TableRef("public", "orders"), TableRef("public", "new")]
    assert added_tables(tables, stored) == [TableRef("public", "new")]
    assert added_tables(tables, None) == []


def test_key_columns_debezium_cannot_express_are_refused() -> None:
    settings = Settings(key_columns={'public."a b"': ["id"]})
    with pytest.raises(ConfigError, match=r"message\.key\.columns cannot name 'a b'"):
        connector_config(settings, [TableRef("public", "a b")])


def test_table_ref_parse_reads_the_quoted_form() -> None:
    assert TableRef.parse('public."a.b"') == TableRef("public", "a.b")
    assert TableRef("public", "a.b").text == 'public."a.b"'
    assert TableRef("public", "a b").text == "public.a b"
    assert TableRef("public", "*").text == "public.*"
    assert TableRef("public", "a.b").qualified == "public.a.b"  # as the sink's _cdc.tables names it
