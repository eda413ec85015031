"""Settings layering and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdc_pipeline.cli.app import app
from cdc_pipeline.config.loading import load_settings
from cdc_pipeline.config.report import config_report
from cdc_pipeline.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_defaults_put_state_under_the_project_dir(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path, environ={})
    assert loaded.settings.state_dir == tmp_path / ".cdc"
    assert loaded.settings.duckdb_file == tmp_path / ".cdc" / "cdc_pipeline.duckdb"
    assert loaded.sources["postgres_port"] == "default"


def test_layers_apply_in_order_yaml_env_credentials_environment_flags(tmp_path: Path) -> None:
    (tmp_path / "cdc.yaml").write_text("postgres_port: 1001\nkafka_port: 2001\nconnect_port: 3001\n")
    (tmp_path / ".env").write_text("KAFKA_PORT=2002\nKAFKA_CONNECT_PORT=3002\n# comment\n")
    (tmp_path / ".credentials").write_text("POSTGRES_PASSWORD=s3cret\nPOSTGRES_USER=alice\n")
    loaded = load_settings(tmp_path, overrides={"connect_port": 3004}, environ={"CDC_POSTGRES_USER": "bob"})
    s = loaded.settings
    assert (s.postgres_port, s.kafka_port, s.connect_port) == (1001, 2002, 3004)
    assert s.postgres_user == "bob" and s.postgres_password.get_secret_value() == "s3cret"
    assert loaded.sources["connect_port"] == "command line"
    assert loaded.sources["kafka_port"].endswith(".env:1 (KAFKA_PORT)")  # file:line (key)


def test_dotenv_quotes_inline_comments_and_export_are_read_as_python_dotenv_reads_them(
    tmp_path: Path,
) -> None:
    (tmp_path / ".credentials").write_text(
        "# the database user\n"
        "POSTGRES_PASSWORD='p@ss \"is\" # not a comment'\n"
        "export POSTGRES_USER=alice  # the owner\n"
        "POSTGRES_DB=${HOME}x\n"
    )
    loaded = load_settings(tmp_path, environ={"HOME": "/root"})
    s = loaded.settings
    assert s.postgres_password.get_secret_value() == 'p@ss "is" # not a comment', "quoted: kept whole"
    assert s.postgres_user == "alice", "an unquoted value ends at its inline comment"
    assert s.postgres_db == "${HOME}x", "no variable expansion"
    assert loaded.sources["postgres_user"].endswith(".credentials:3 (POSTGRES_USER)")


def test_a_dotenv_line_that_is_not_key_value_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KAFKA_PORT=2002\nnot a setting line\n")
    with pytest.raises(ConfigError, match=r"\.env:2: expected KEY=value, got 'not a setting line'"):
        load_settings(tmp_path, environ={})


def test_invalid_value_names_key_source_and_accepted_values(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("POSTGRES_PORT=seventy\n")
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={})
    message = str(error.value)
    assert "postgres_port" in message and ".env" in message and "POSTGRES_PORT" in message


def test_secret_values_never_appear_in_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={"CDC_POSTGRES_PASSWORD": "hunter2", "CDC_POSTGRES_PORT": "0"})
    assert "hunter2" not in str(error.value)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, overrides={"postgres_password": 12345678})
    assert "12345678" not in str(error.value)


def test_unknown_yaml_key_is_rejected_with_the_accepted_list(tmp_path: Path) -> None:
    (tmp_path / "cdc.yaml").write_text("postgress_port: 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'postgress_port'"):
        load_settings(tmp_path, environ={})


def test_pipeline_definition_from_cdc_yaml(tmp_path: Path) -> None:
    (tmp_path / "cdc.yaml").write_text(
        "tables:\n  public: [users, orders]\n  billing: [invoices]\n"
        "exclude_columns: [public.users.email]\n"
        "key_columns:\n  billing.invoices: [number]\n"
        "debezium:\n  snapshot.mode: no_data\n  heartbeat.interval.ms: 5000\n"
        "  provide.transaction.metadata: true\n"
    )
    loaded = load_settings(tmp_path, environ={})
    s = loaded.settings
    assert s.tables == {"public": ["users", "orders"], "billing": ["invoices"]}
    assert s.exclude_columns == ["public.users.email"]
    assert s.key_columns == {"billing.invoices": ["number"]}
    assert s.debezium == {
        "snapshot.mode": "no_data",
        "heartbeat.interval.ms": "5000",
        "provide.transaction.metadata": "true",
    }
    assert loaded.sources["tables"] == str(tmp_path / "cdc.yaml")


def test_one_line_forms_for_env_and_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TABLES=public.users,public.orders\nKEY_COLUMNS=public.log:seq,ts;public.x:id\n"
    )
    loaded = load_settings(
        tmp_path, environ={"CDC_EXCLUDE_COLUMNS": "public.users.email", "CDC_DEBEZIUM": '{"tasks.max": 1}'}
    )
    s = loaded.settings
    assert s.tables == {"public": ["users", "orders"]}
    assert s.key_columns == {"public.log": ["seq", "ts"], "public.x": ["id"]}
    assert s.exclude_columns == ["public.users.email"] and s.debezium == {"tasks.max": "1"}
    assert loaded.sources["debezium"] == "environment (CDC_DEBEZIUM)"


def test_table_list_in_the_original_connector_config_json_form_is_found(tmp_path: Path) -> None:
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "connector_config.json").write_text('{"public": ["users", "orders"]}')
    loaded = load_settings(tmp_path, environ={})
    assert loaded.settings.tables == {"public": ["users", "orders"]}
    assert loaded.sources["tables"] == str(tmp_path / "connectors" / "connector_config.json")
    (tmp_path / "mine.json").write_text('{"sales": ["deals"]}')
    loaded = load_settings(tmp_path, environ={"CDC_TABLES_FILE": "mine.json"})
    assert loaded.settings.tables == {"sales": ["deals"]}


def test_tables_in_cdc_yaml_win_over_a_table_file(tmp_path: Path) -> None:
    (tmp_path / "connector_config.json").write_text('{"public": ["users"]}')
    (tmp_path / "cdc.yaml").write_text("tables: [public.orders]\n")
    assert load_settings(tmp_path, environ={}).settings.tables == {"public": ["orders"]}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cdc.yaml": "tables: {public: users}\n"}, None),  # a single name is accepted as a one-item list
        ({"cdc.yaml": "tables: [users]\n"}, "invalid setting tables = ['users'] from {yaml}"),
        ({"cdc.yaml": "exclude_columns: [users.email]\n"}, "not a schema.table.column name"),
        ({"cdc.yaml": "key_columns: {public.log: []}\n"}, "expected a non-empty list of column names"),
        ({".env": "DEBEZIUM={not json\n"}, "from {env}:1 (DEBEZIUM)"),
        ({"cdc.yaml": "signal_table: debezium_signal\n"}, "signal_table"),
        ({"connector_config.json": '{"public": "users"}'}, "invalid setting tables_file"),
    ],
)
def test_invalid_pipeline_definitions_name_key_file_and_accepted_form(
    tmp_path: Path, files: dict[str, str], expected: str | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    if expected is None:
        load_settings(tmp_path, environ={})
        return
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={})
    message = str(error.value)
    assert expected.format(yaml=tmp_path / "cdc.yaml", env=tmp_path / ".env") in message
    assert "\n" not in message


def test_config_show_masks_secrets_and_names_sources(tmp_path: Path) -> None:
    (tmp_path / ".credentials").write_text("POSTGRES_PASSWORD=hunter2\n")
    (tmp_path / "cdc.yaml").write_text(
        "debezium: {database.password: other-secret, snapshot.mode: no_data}\n"
    )
    report = config_report(load_settings(tmp_path, overrides={"kafka_port": 9999}, environ={}))
    rows = {row.key: row for row in report.rows}
    text = json.dumps(report.to_json())
    assert "hunter2" not in text and "other-secret" not in text
    assert rows["postgres_password"].value == "********"
    assert rows["postgres_password"].source == str(tmp_path / ".credentials") + ":1 (POSTGRES_PASSWORD)"
    assert json.loads(rows["debezium"].value) == {"database.password": "********", "snapshot.mode": "no_data"}
    assert rows["kafka_port"].source == "command line" and rows["postgres_port"].source == "default"


def test_the_example_cdc_yaml_loads(tmp_path: Path) -> None:
    (tmp_path / "cdc.yaml").write_text((REPO / "examples" / "cdc.yaml").read_text())
    assert load_settings(tmp_path, environ={}).settings.tables == {"public": ["users", "orders"]}


def test_cdc_config_show_json_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / ".credentials").write_text("POSTGRES_PASSWORD=hunter2\n")
    result = CliRunner().invoke(
        app, ["--project-dir", str(tmp_path), "config", "show", "--json"], env={"CDC_TOPIC_PREFIX": "p9"}
    )
    assert result.exit_code == 0, result.output
    rows = {r["key"]: r for r in json.loads(result.output)["settings"]}
    assert (
        rows["topic_prefix"]["value"] == "p9"
        and rows["topic_prefix"]["source"] == "environment (CDC_TOPIC_PREFIX)"
    )
    assert "hunter2" not in result.output
