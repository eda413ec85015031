"""The endpoint token the duckdb-tier servers are started with, and the header that carries it."""

from __future__ import annotations

from pathlib import Path

from cdc_pipeline.observe.endpoint.token import EndpointToken

TOKEN = EndpointToken("duckdb-tier-test-token", Path("/nonexistent/state/sink.token"))
HEADERS = {"Authorization": f"Bearer {TOKEN.value}"}
