"""The endpoint's token: created private, kept across restarts, compared exactly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cdc_pipeline.errors import CdcError
from cdc_pipeline.observe.endpoint.token import auth_headers, authorized, ensure_token, read_token, token_path


def test_the_token_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = token_path(tmp_path / "state")
    token = ensure_token(path)
    assert len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_token(path) == token
    assert auth_headers(tmp_path / "state") == {"Authorization": f"Bearer {token}"}


def test_a_restart_keeps_the_token_and_tightens_a_loosened_file(tmp_path: Path) -> None:
    path = token_path(tmp_path)
    token = ensure_token(path)
    path.chmod(0o644)
    assert ensure_token(path) == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_every_sink_gets_its_own_random_token(tmp_path: Path) -> None:
    assert ensure_token(tmp_path / "a" / "sink.token") != ensure_token(tmp_path / "b" / "sink.token")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        ("Bearer  s3cret ", True),
        ("Bearer s3cre", False),
        ("Bearer s3cret2", False),
        ("Basic s3cret", False),
        ("s3cret", False),
        ("", False),
        (None, False),
    ],
)
def test_only_the_exact_bearer_token_is_accepted(header: str | None, expected: bool) -> None:
    assert authorized(header, "s3cret") is expected


def test_a_missing_token_names_the_file_and_the_command(tmp_path: Path) -> None:
    with pytest.raises(CdcError, match=r"no sink token at .*sink\.token.*cdc up"):
        read_token(token_path(tmp_path))
    assert auth_headers(tmp_path) == {}
