"""Bad configuration is one line naming the key, where it came from and what is accepted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cdc_pipeline.config.loading import DEMO_ONLY_KEYS, load_settings
from cdc_pipeline.errors import ConfigError


def _load(tmp_path: Path, files: dict[str, str], environ: dict[str, str] | None = None) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    load_settings(tmp_path, environ=environ or {})


def _error(tmp_path: Path, files: dict[str, str], environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, files, environ)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_an_unknown_key_in_dotenv_names_file_line_and_the_closest_name(tmp_path: Path) -> None:
    message = _error(tmp_path, {".env": "# sizes\nSINK_MAX_EVENTS=5\nSINK_MAX_EVENTZ=5\n"})
    assert message == (
        f"{tmp_path / '.env'}:3: unknown setting SINK_MAX_EVENTZ. did you mean SINK_MAX_EVENTS? "
        "Otherwise remove the line."
    )


def test_an_unknown_key_in_credentials_is_an_error_without_its_value(tmp_path: Path) -> None:
    message = _error(tmp_path, {".credentials": "POSTGRES_PASSWROD=hunter2\n"})
    assert message.startswith(f"{tmp_path / '.credentials'}:1: unknown setting POSTGRES_PASSWROD.")
    assert "did you mean POSTGRES_PASSWORD?" in message and "hunter2" not in message


def test_an_unknown_key_nothing_resembles_lists_the_accepted_names(tmp_path: Path) -> None:
    message = _error(tmp_path, {".env": "FROBNICATE=1\n"})
    assert "unknown setting FROBNICATE. remove the line; accepted: STATE_DIR, " in message
    assert "SINK_MAX_EVENTS" in message and "KAFKA_CONNECT_PORT" in message


def test_an_unknown_yaml_key_names_the_closest_field(tmp_path: Path) -> None:
    message = _error(tmp_path, {"cdc.yaml": "sink_max_evnts: 5\n"})
    assert message == (
        f"{tmp_path / 'cdc.yaml'}: unknown setting 'sink_max_evnts'. did you mean sink_max_events? "
        "Otherwise remove that key."
    )


def test_an_unknown_cdc_variable_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, {}, {"CDC_KAFKA_PROT": "1"})
    assert message == (
        "environment: unknown setting CDC_KAFKA_PROT. did you mean CDC_KAFKA_PORT? "
        "Otherwise unset it (`unset CDC_KAFKA_PROT`)."
    )


@pytest.mark.parametrize(
    "variable",
    ["CDC_KEEP_E2E_STATE", "CDC_UPDATE_GOLDEN", "CDC_KILL_SEED", "CDC_SECRET_POSTGRES_PASSWORD", "OTHER"],
)
def test_variables_the_tools_use_are_not_settings_and_not_errors(tmp_path: Path, variable: str) -> None:
    _load(tmp_path, {}, {variable: "1"})


def test_the_demos_compose_keys_are_ignored_with_one_warning_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    lines = "".join(f"{key}=x\n" for key in sorted(DEMO_ONLY_KEYS))
    _load(tmp_path, {".env": lines + "KAFKA_EXTERNAL_PORT=29092\nTOPIC_PREFIX=dbserver1\n"})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == len(DEMO_ONLY_KEYS)
    assert (
        f"{tmp_path / '.env'}:1: CONNECT_CONFIG_TOPIC is a setting of the original demo's docker-compose, "
        "which this product does not use; ignored" in warnings[0]
    )
    assert all("\n" not in w for w in warnings)


def test_a_demo_key_in_the_environment_is_still_an_error(tmp_path: Path) -> None:
    assert "unknown setting CDC_PROJECT_NAME" in _error(tmp_path, {}, {"CDC_PROJECT_NAME": "x"})


@pytest.mark.parametrize(
    ("files", "environ", "expected"),
    [
        (
            {".env": "SINK_MAX_EVENTS=-5\n"},
            {},
            "invalid setting sink_max_events = '-5' from {dir}/.env:1 (SINK_MAX_EVENTS): Input should be "
            "greater than or equal to 1. accepted: a whole number >= 1 (most change events in one DuckDB "
            "transaction).",
        ),
        (
            {"cdc.yaml": "sink_max_bytes: lots\n"},
            {},
            "invalid setting sink_max_bytes = 'lots' from {dir}/cdc.yaml: Input should be a valid integer, "
            "unable to parse string as an integer. accepted: a whole number >= 1024 (most Kafka bytes in one "
            "DuckDB transaction).",
        ),
        (
            {},
            {"CDC_KAFKA_PORT": "99999"},
            "invalid setting kafka_port = '99999' from environment (CDC_KAFKA_PORT): Input should be less "
            "than or equal to 65535. accepted: a whole number from 1 to 65535 (Kafka broker port on "
            "127.0.0.1).",
        ),
        (
            {"cdc.yaml": "kafka_heap: lots\n"},
            {},
            "invalid setting kafka_heap = 'lots' from {dir}/cdc.yaml: not in the accepted form. accepted: "
            r"text matching ^\d+[mg]$ (JVM heap of the broker).",
        ),
    ],
)
def test_a_bad_value_names_key_value_origin_and_what_is_accepted(
    tmp_path: Path, files: dict[str, str], environ: dict[str, str], expected: str
) -> None:
    assert _error(tmp_path, files, environ) == expected.format(dir=tmp_path)


@pytest.mark.parametrize(
    "files",
    [
        {".env": "TABLES=public.users,public.users\n"},
        {"cdc.yaml": "tables: public.users,public.users\n"},
        {"cdc.yaml": "tables: [public.users, public.users]\n"},
        {"cdc.yaml": "tables:\n  public: [users, users]\n"},
        {"cdc.yaml": "tables:\n  public: users,users\n"},
    ],
)
def test_a_duplicated_table_is_an_error_naming_it(tmp_path: Path, files: dict[str, str]) -> None:
    message = _error(tmp_path, files)
    assert message.startswith("invalid setting tables = ")
    assert "table public.users is listed twice" in message and "accepted: " in message


def test_a_duplicated_table_in_the_demos_table_file_is_an_error_naming_it(tmp_path: Path) -> None:
    message = _error(tmp_path, {"connector_config.json": '{"public": ["users", "users"]}'})
    assert "table public.users is listed twice" in message and "connector_config.json" in message


DEMO_DOTENV = """# Project
PROJECT_NAME=cdc_pipeline
ZOOKEEPER_VERSION=3.9.4
ZOOKEEPER_PORT=2181
KAFKA_VERSION=7.5.0
KAFKA_EXTERNAL_PORT=29092
DUCKDB_PATH=cdc_pipeline.duckdb
TOPIC_PREFIX=dbserver1
POSTGRES_VERSION=15
POSTGRES_PORT=5432
DEBEZIUM_VERSION=2.6
KAFKA_CONNECT_PORT=8083
CONNECT_GROUP_ID=cdc-connect-group
CONNECT_CONFIG_TOPIC=cdc_connect_configs
CONNECT_OFFSET_TOPIC=cdc_connect_offsets
CONNECT_STATUS_TOPIC=cdc_connect_status
"""


def test_the_original_demos_dotenv_loads(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(DEMO_DOTENV)
    settings = load_settings(tmp_path, environ={}).settings
    assert (settings.kafka_port, settings.connect_port, settings.postgres_port) == (29092, 8083, 5432)
    assert settings.duckdb_file == tmp_path / "cdc_pipeline.duckdb"
