"""Register a connector and wait until Connect runs it."""

from __future__ import annotations

import time
from collections.abc import Sequence

from cdc_pipeline.config import Settings
from cdc_pipeline.connectors.connect_client import ConnectClient, ConnectorState
from cdc_pipeline.connectors.model import TableRef, connector_config
from cdc_pipeline.errors import ConnectError


def apply_connector(
    settings: Settings, tables: Sequence[TableRef], timeout_s: float = 90.0
) -> ConnectorState:
    """PUT the generated config (idempotent) and wait until the connector and its task are RUNNING."""
    with ConnectClient(settings.connect_url) as client:
        client.put_config(settings.connector_name, connector_config(settings, tables))
        return wait_running(client, settings.connector_name, timeout_s)


def wait_running(client: ConnectClient, name: str, timeout_s: float) -> ConnectorState:
    deadline = time.monotonic() + timeout_s
    state: ConnectorState | None = None
    while time.monotonic() < deadline:
        state = client.status(name)
        if state is not None and state.running:
            return state
        failed = [t for t in (state.tasks if state else []) if t.state == "FAILED"]
        if state is not None and (state.state == "FAILED" or failed):
            trace = (failed[0].trace if failed else None) or ""
            first = next((line for line in trace.splitlines() if line.strip()), "no trace")
            raise ConnectError(
                f"connector {name} failed: {first}",
                "see `cdc status` and the Connect log; fix the cause, then `cdc up` again",
            )
        time.sleep(0.5)
    shown = "not registered" if state is None else f"{state.state}, tasks {[t.state for t in state.tasks]}"
    raise ConnectError(
        f"connector {name} did not reach RUNNING within {timeout_s:.0f}s ({shown})",
        "see the Connect log under the state directory's logs/connect.log",
    )


def wait_all_running(settings: Settings, timeout_s: float = 90.0) -> list[ConnectorState]:
    """After a (re)start, wait until every registered connector runs again (Connect restores them itself)."""
    with ConnectClient(settings.connect_url) as client:
        return [wait_running(client, name, timeout_s) for name in client.connectors()]
