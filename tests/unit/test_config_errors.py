"""Bad configuration is one line naming the key, where it came from and what is accepted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cdc_pipeline.config.settings import load_settings
from cdc_pipeline.errors import ConfigError

pytestmark = pytest.mark.unit


def _load(tmp_path: Path, files: dict[str, str], environ: dict[str, str] | None = None) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    load_settings(tmp_path, environ=environ or {})


def test_an_unknown_key_in_dotenv_is_an_error_with_the_closest_name(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"\.env: unknown setting SINK_MAX_EVENTZ.*did you mean SINK_MAX_EVENTS"
    ):
        _load(tmp_path, {".env": "SINK_MAX_EVENTZ=5\n"})


def test_an_unknown_key_in_credentials_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"\.credentials: unknown setting POSTGRES_PASSWROD.*POSTGRES_PASSWORD"
    ):
        _load(tmp_path, {".credentials": "POSTGRES_PASSWROD=x\n"})


def test_an_unknown_cdc_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"environment: unknown setting CDC_KAFKA_PROT.*CDC_KAFKA_PORT"):
        _load(tmp_path, {}, {"CDC_KAFKA_PROT": "1"})
    _load(tmp_path, {}, {"CDC_KEEP_E2E_STATE": "1", "OTHER": "x"})  # not ours, or the tests' own switch


def test_the_demos_compose_keys_are_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    _load(tmp_path, {".env": "PROJECT_NAME=cdc_pipeline\nZOOKEEPER_PORT=2181\nKAFKA_EXTERNAL_PORT=29092\n"})
    assert "PROJECT_NAME is a setting of the original demo's docker-compose; ignored" in caplog.text


@pytest.mark.parametrize(
    ("files", "environ", "expected"),
    [
        ({".env": "SINK_MAX_EVENTS=-5\n"}, {}, r"sink_max_events = '-5' from .*\.env \(SINK_MAX_EVENTS\)"),
        ({"cdc.yaml": "sink_max_bytes: lots\n"}, {}, r"sink_max_bytes = 'lots' from .*cdc\.yaml"),
        ({}, {"CDC_KAFKA_PORT": "99999"}, r"kafka_port = '99999' from environment \(KAFKA_PORT\)"),
        ({"cdc.yaml": "sink_max_evnts: 5\n"}, {}, r"cdc\.yaml: unknown setting 'sink_max_evnts'"),
        ({".env": "TABLES=public.users,public.users\n"}, {}, r"public\.users is listed twice"),
    ],
)
def test_a_bad_value_names_key_value_and_origin(
    tmp_path: Path, files: dict[str, str], environ: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected) as caught:
        _load(tmp_path, files, environ)
    assert "\n" not in str(caught.value)
    assert "accepted" in str(caught.value) or "unknown setting" in str(caught.value)
