"""What `cdc status` reports: each stack component and each connector, as plain values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cdc_pipeline.config import Settings
from cdc_pipeline.connectors.connect_client import ConnectClient
from cdc_pipeline.errors import ConnectError
from cdc_pipeline.stack import stack


@dataclass(frozen=True)
class Row:
    """One line of the status table: a component or a connector."""

    name: str
    state: str
    detail: str = ""
    port: int | None = None
    pid: int | None = None
    log_file: str | None = None


@dataclass(frozen=True)
class StatusReport:
    rows: list[Row] = field(default_factory=list)

    @property
    def all_running(self) -> bool:
        return bool(self.rows) and all(r.state == "RUNNING" for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {"all_running": self.all_running, "rows": [asdict(r) for r in self.rows]}


def collect_status(settings: Settings) -> StatusReport:
    """Stack components, then the configured connector (when Connect answers)."""
    report = stack.status(settings)
    rows = [
        Row(c.name, c.state, "" if c.state == "RUNNING" else c.detail, c.port, c.pid, _shown(c.log_file))
        for c in report
    ]
    connect_up = any(r.name == "connect" and r.state == "RUNNING" for r in rows)
    rows.extend(_connector_rows(settings) if connect_up else [])
    return StatusReport(rows=rows)


def _shown(path: Path | None) -> str | None:
    """Paths under the working directory are shown relative to it, so the table stays readable."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _connector_rows(settings: Settings) -> list[Row]:
    try:
        with ConnectClient(settings.connect_url, retry_for_s=5) as client:
            names = client.connectors()
            rows = []
            for name in sorted(names):
                state = client.status(name)
                if state is None:
                    continue
                tasks = ", ".join(f"task {t.id} {t.state}" for t in state.tasks) or "no tasks yet"
                shown = "RUNNING" if state.running else ("FAILED" if "FAILED" in tasks else state.state)
                rows.append(Row(f"connector {name}", shown, tasks))
    except ConnectError as exc:
        return [Row("connectors", "UNKNOWN", str(exc))]
    if settings.connector_name not in names:
        rows.append(
            Row(f"connector {settings.connector_name}", "ABSENT", "not registered (`cdc up --sample`)")
        )
    return rows
