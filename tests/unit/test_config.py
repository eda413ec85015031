"""Settings layering and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdc_pipeline.config import load_settings
from cdc_pipeline.errors import ConfigError

pytestmark = pytest.mark.unit


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
    assert loaded.sources["kafka_port"].endswith(".env (KAFKA_PORT)")


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
