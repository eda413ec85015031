"""Plan diffs, masking, and the Connect client's 409 retry and secret redaction (HTTP mocked)."""

from __future__ import annotations

import httpx
import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.config.values import mask_config
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.connectors.model import TableRef, added_tables, connector_config, included_patterns
from cdc_pipeline.connectors.plan import ConfigChange, diff_configs
from cdc_pipeline.errors import ConnectError


def test_diff_lists_added_changed_and_removed_keys_with_secrets_masked() -> None:
    current = {"a": "1", "b": "2", "database.password": "old-pw", "gone": "x"}
    planned = {"a": "1", "b": "3", "database.password": "new-pw", "new": "y"}
    assert diff_configs(current, planned) == [
        ConfigChange("b", "2", "3"),
        ConfigChange("database.password", "********", "******** (new value)"),
        ConfigChange("gone", "x", None),
        ConfigChange("new", None, "y"),
    ]


def test_printed_connector_config_has_no_password() -> None:
    config = connector_config(Settings(postgres_password="pw-123"), [TableRef("public", "users")])  # type: ignore[arg-type]
    assert "pw-123" not in str(config), "the config holds a provider reference, not the password"
    assert "pw-123" not in str(mask_config(config))


def test_included_patterns_detects_an_added_table() -> None:
    settings = Settings()
    before = connector_config(settings, [TableRef("public", "users")])
    added = [TableRef("public", "users"), TableRef("public", "orders")]
    assert added_tables(added, before) == [TableRef("public", "orders")]
    assert {t.include_pattern for t in added} - included_patterns(before) == {"(?-i)public.orders"}


def test_key_and_excluded_columns_use_debeziums_regex_forms() -> None:
    settings = Settings(
        exclude_columns=["public.users.email", "public.my$t.c"],
        key_columns={"public.log": ["seq", "ts"], "public.x": ["id"]},
    )
    config = connector_config(settings, [TableRef("public", "users")])
    assert config["column.exclude.list"] == r"public\.users\.email,public\.my\$t\.c"
    assert config["message.key.columns"] == "public.log:seq,ts;public.x:id"


def test_connect_errors_never_echo_the_password() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"message": "invalid config: database.password=s3cret-pw rejected"})

    client = ConnectClient("http://connect", secrets=["s3cret-pw"], transport=httpx.MockTransport(handler))
    with pytest.raises(ConnectError) as error:
        client.put_config("c", {"database.password": "s3cret-pw"})
    assert "s3cret-pw" not in str(error.value) and "database.password=********" in str(error.value)


def test_409_while_rebalancing_is_retried() -> None:
    answers = iter([409, 409, 201])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), json={"message": "rebalance in progress"})

    client = ConnectClient("http://connect", retry_for_s=10, transport=httpx.MockTransport(handler))
    assert client.put_config("c", {"a": "b"}) is True


def test_failed_task_traces_are_redacted_too() -> None:
    body = {
        "connector": {"state": "RUNNING", "worker_id": "w"},
        "tasks": [{"id": 0, "state": "FAILED", "worker_id": "w", "trace": "boom pw=s3cret-pw"}],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    state = ConnectClient("http://connect", secrets=["s3cret-pw"], transport=transport).status("c")
    assert state is not None and state.tasks[0].trace == "boom pw=********"
