"""`make lint` enforces DESIGN's import rules (the import-linter contracts in pyproject.toml): a deliberate
violation fails them, and the package as it is passes them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Run import-linter on a copy of the package: the editable install's finder would point at the real one.
LINT = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "Redirect" not in type(f).__name__]
sys.path.insert(0, sys.argv[1])
from importlinter.cli import lint_imports
sys.exit(lint_imports(config_filename=sys.argv[2], no_cache=True))
"""


def lint_copy(tmp_path: Path, violation: str | None = None) -> subprocess.CompletedProcess[str]:
    shutil.copytree(
        ROOT / "src" / "cdc_pipeline", tmp_path / "cdc_pipeline", ignore=shutil.ignore_patterns("*.so")
    )
    if violation is not None:
        (tmp_path / "cdc_pipeline" / "sink" / "_violation.py").write_text(violation)
    return subprocess.run(
        [sys.executable, "-c", LINT, str(tmp_path), str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


def test_the_package_keeps_every_import_rule(tmp_path: Path) -> None:
    result = lint_copy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_sink_importing_the_cli_fails_the_lint(tmp_path: Path) -> None:
    result = lint_copy(tmp_path, "import cdc_pipeline.cli.app\n")
    assert result.returncode != 0
    assert "cdc_pipeline.sink is not allowed to import cdc_pipeline.cli" in result.stdout
    assert "cdc_pipeline.sink._violation -> cdc_pipeline.cli.app" in result.stdout


def test_starting_a_process_outside_stack_fails_the_lint(tmp_path: Path) -> None:
    result = lint_copy(tmp_path, "import subprocess\n")
    assert result.returncode != 0 and "Only stack/ starts processes" in result.stdout
