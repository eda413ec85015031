"""The stack's OS user must reach what it runs: an unreachable directory is one line with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdc_pipeline.errors import StackError
from cdc_pipeline.stack.os_user import OsUser, check_readable

NOBODY = OsUser("nobody-test", 65534, 65534, frozenset({65534}), ())


def test_an_interpreter_the_user_cannot_reach_names_the_directory_and_the_fix(tmp_path: Path) -> None:
    private = tmp_path / "home"
    (private / "bin").mkdir(parents=True)
    python = private / "bin" / "python3"
    python.write_text("")
    (private / "bin").chmod(0o755)  # whatever the process umask: only `home` is closed
    private.chmod(0o700)
    with pytest.raises(StackError) as caught:
        check_readable([python], NOBODY, "sink", fix="rebuild the venv: `rm -rf .venv && make setup`")
    message = str(caught.value)
    assert f"cannot enter {private} (mode drwx------)" in message and str(python) in message
    assert f"chmod o+x {private}" in message and "rm -rf .venv && make setup" in message


def test_a_reachable_path_passes() -> None:
    check_readable([Path("/usr/bin/env")], NOBODY, "kafka")
