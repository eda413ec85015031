"""The generated Debezium connector configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.model import TableRef, connector_config, slot_name, tables_from_connector_json
from cdc_pipeline.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_sample_table_list_is_the_original_demo_form() -> None:
    tables = tables_from_connector_json(REPO / "examples" / "connector_config.json")
    assert tables == [TableRef("public", "users"), TableRef("public", "orders")]


def test_config_carries_the_defaults_that_keep_every_change() -> None:
    config = connector_config(Settings(postgres_port=15432), [TableRef("public", "users")])
    assert all(isinstance(v, str) for v in config.values())
    expected = {
        "plugin.name": "pgoutput",
        "publication.autocreate.mode": "disabled",
        "skipped.operations": "none",
        "decimal.handling.mode": "string",
        "datatype.propagate.source.type": r"(.*\.)?_?(numeric|decimal|money|NUMERIC|DECIMAL|MONEY)",
        "provide.transaction.metadata": "true",
        "value.converter.replace.null.with.default": "false",
        "table.include.list": "(?-i)public.users",
        "database.port": "15432",
        "topic.prefix": "dbserver1",
    }
    assert {k: config[k] for k in expected} == expected


def test_slot_name_is_a_valid_postgres_identifier() -> None:
    assert slot_name(Settings(connector_name="My-Connector.1")) == "cdc_my_connector_1"


def test_malformed_table_list_gives_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "connector_config.json"
    bad.write_text(json.dumps({"public": "users"}))
    with pytest.raises(ConfigError, match="expected a mapping of schema to a list of table names"):
        tables_from_connector_json(bad)
