"""The only place that speaks HTTP to Kafka Connect's REST API.

409 answers ("rebalance expected", "no known leader") are normal while a worker joins its group; they are
retried with backoff until the deadline. Every other failure becomes one :class:`ConnectError` naming the
request and what to do. Connect echoes connector configurations in some answers, so every message that leaves
this module has the secrets it was given (``secrets=``) masked.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from cdc_pipeline.config.values import redact
from cdc_pipeline.errors import ConnectError

POSTGRES_CONNECTOR_CLASS = "io.debezium.connector.postgresql.PostgresConnector"


@dataclass(frozen=True)
class TaskState:
    id: int
    state: str
    trace: str | None = None


@dataclass(frozen=True)
class ConnectorState:
    name: str
    state: str
    tasks: list[TaskState] = field(default_factory=list)
    worker_id: str = ""
    trace: str | None = None

    @property
    def running(self) -> bool:
        return self.state == "RUNNING" and bool(self.tasks) and all(t.state == "RUNNING" for t in self.tasks)


class ConnectClient:
    """A small typed client for the Connect REST calls the project uses."""

    def __init__(
        self,
        url: str,
        timeout_s: float = 10.0,
        retry_for_s: float = 60.0,
        secrets: Sequence[str] = (),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s, transport=transport)
        self._retry_for_s = retry_for_s
        self._secrets = [s for s in secrets if s]

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ConnectClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(
        self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200,)
    ) -> httpx.Response:
        deadline = time.monotonic() + self._retry_for_s
        delay = 0.25
        while True:
            try:
                response = self._http.request(method, path, json=body)
            except httpx.HTTPError as exc:
                raise ConnectError(
                    f"Kafka Connect at {self.url} did not answer {method} {path} ({exc})",
                    "check that it runs (`cdc status`) and see its log (.cdc/logs/connect.log)",
                ) from exc
            if response.status_code in ok:
                return response
            if response.status_code == 409 and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            raise ConnectError(
                f"Kafka Connect answered {response.status_code} to {method} {path}: "
                + redact(_message(response), self._secrets),
                "see the Connect log (.cdc/logs/connect.log) for details",
            )

    def is_up(self) -> bool:
        """True when the worker's REST server answers ``GET /`` with 200."""
        try:
            return self._http.get("/").status_code == 200
        except httpx.HTTPError:
            return False

    def worker_info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/").json()
        return result

    def plugin_classes(self) -> list[str]:
        return [p["class"] for p in self._request("GET", "/connector-plugins").json()]

    def connectors(self) -> list[str]:
        return list(self._request("GET", "/connectors").json())

    def get_config(self, name: str) -> dict[str, str] | None:
        response = self._request("GET", f"/connectors/{name}/config", ok=(200, 404))
        if response.status_code == 404:
            return None
        config: dict[str, str] = response.json()
        return config

    def put_config(self, name: str, config: dict[str, str]) -> bool:
        """Create or update a connector idempotently; True when it was created."""
        response = self._request("PUT", f"/connectors/{name}/config", body=config, ok=(200, 201))
        return response.status_code == 201

    def status(self, name: str) -> ConnectorState | None:
        response = self._request("GET", f"/connectors/{name}/status", ok=(200, 404))
        if response.status_code == 404:
            return None
        return self._state(name, response.json())

    def _state(self, name: str, data: dict[str, Any]) -> ConnectorState:
        tasks = [
            TaskState(id=t["id"], state=t["state"], trace=self._redacted(t.get("trace")))
            for t in data.get("tasks", [])
        ]
        connector = data.get("connector", {})
        return ConnectorState(
            name=name,
            state=connector.get("state", "UNKNOWN"),
            tasks=tasks,
            worker_id=connector.get("worker_id", ""),
            trace=self._redacted(connector.get("trace")),
        )

    def _redacted(self, text: str | None) -> str | None:
        return None if text is None else redact(text, self._secrets)

    def task_configs(self, name: str) -> list[dict[str, str]]:
        """The configuration each task of ``name`` currently has (empty while stopped or not yet assigned)."""
        response = self._request("GET", f"/connectors/{name}/tasks", ok=(200, 404))
        return [] if response.status_code == 404 else [t.get("config", {}) for t in response.json()]

    def restart(self, name: str, only_failed: bool = True) -> ConnectorState | None:
        """Restart the connector and its (failed) tasks; the answer lists what is RESTARTING."""
        flag = "true" if only_failed else "false"
        response = self._request(
            "POST", f"/connectors/{name}/restart?includeTasks=true&onlyFailed={flag}", ok=(202, 204)
        )
        return self._state(name, response.json()) if response.status_code == 202 else None

    def stop(self, name: str) -> None:
        """Stop the connector and shut its tasks down (asynchronous: poll :meth:`status` for STOPPED)."""
        self._request("PUT", f"/connectors/{name}/stop", ok=(202, 204))

    def resume(self, name: str) -> None:
        self._request("PUT", f"/connectors/{name}/resume", ok=(202, 204))

    def create_stopped(self, name: str, config: dict[str, str]) -> None:
        """Create a connector in the STOPPED state (KIP-980), so its stored offsets can be checked first."""
        body = {"name": name, "config": config, "initial_state": "STOPPED"}
        self._request("POST", "/connectors", body=body, ok=(201,))

    def offsets(self, name: str) -> dict[str, Any]:
        """Connect's stored source offsets of ``name`` (KIP-875): ``{"offsets": [{partition, offset}]}``."""
        answer: dict[str, Any] = self._request("GET", f"/connectors/{name}/offsets").json()
        return answer

    def delete_offsets(self, name: str) -> None:
        """Reset the offsets of a STOPPED connector; with snapshot.mode=initial its next start snapshots."""
        self._request("DELETE", f"/connectors/{name}/offsets")

    def delete(self, name: str) -> bool:
        """Delete a connector; False when it did not exist."""
        return self._request("DELETE", f"/connectors/{name}", ok=(204, 404)).status_code == 204


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", response.text))[:500]
    except ValueError:
        return response.text[:500]
