"""What the sub-command modules need from the `cdc` entry point, without importing it (no import cycle)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from cdc_pipeline.config.settings import Settings


class CliContext(Protocol):
    """The parsed global options (``--project-dir``, ``--state-dir``...) and the settings they give."""

    project_dir: Path
    overrides: dict[str, Any]

    def settings(self) -> Settings: ...


ErrorHandler = Callable[[Callable[..., None]], Callable[..., None]]
