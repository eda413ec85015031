"""Golden files for the generated Debezium connector JSON: any drift in a property fails here.

A deliberate change? Regenerate, review the diff, commit:

    CDC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_connector_golden.py
    git diff tests/fixtures/golden/
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.connectors.model import connector_config
from cdc_pipeline.stack.connect import secret_environment, worker_properties

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"

CASES = {
    # the original demo: {"public": ["users", "orders"]}, every default
    "connector_sample": Settings(tables={"public": ["users", "orders"]}),
    # every pipeline-definition knob: excluded columns, a key override, Debezium overrides, another prefix
    "connector_full": Settings(
        postgres_port=25432,
        postgres_user="capture",
        postgres_password="golden-secret",
        postgres_db="shop",
        topic_prefix="shop1",
        connector_name="shop-cdc",
        tables={"public": ["customers", "events"], "billing": ["Invoices"]},
        exclude_columns=["public.customers.password_hash", "billing.Invoices.pdf"],
        key_columns={"public.events": ["source", "seq"]},
        signal_table="cdc.debezium_signal",
        debezium={"heartbeat.interval.ms": 5000, "snapshot.mode": "no_data", "tasks.max": "1"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_connector_json_matches_the_golden_file(case: str) -> None:
    generated = json.dumps(connector_config(CASES[case]), indent=2, sort_keys=True) + "\n"
    path = GOLDEN / f"{case}.json"
    if os.environ.get("CDC_UPDATE_GOLDEN"):
        path.write_text(generated, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run CDC_UPDATE_GOLDEN=1 .venv/bin/pytest {__file__}"
    assert generated == path.read_text(encoding="utf-8"), (
        f"the connector JSON drifted from {path.name}; "
        f"if intended: CDC_UPDATE_GOLDEN=1 .venv/bin/pytest {__file__}"
    )


def test_golden_files_have_no_stray_cases() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("connector_*.json")) == sorted(CASES)


def test_the_connector_references_the_password_and_never_holds_it() -> None:
    """Connect stores and serves the connector config as given: it must carry a reference, not the secret."""
    settings = Settings(postgres_password="golden-secret", tables={"public": ["users"]})
    config = connector_config(settings)
    assert "golden-secret" not in json.dumps(config)
    assert config["database.password"] == "${env:CDC_SECRET_POSTGRES_PASSWORD}"
    worker = worker_properties(settings, Path("/plugins"), "service_load")
    assert worker["config.providers.env.class"].endswith("EnvVarConfigProvider")
    assert "golden-secret" not in json.dumps(worker)
    assert secret_environment(settings)["CDC_SECRET_POSTGRES_PASSWORD"] == "golden-secret"
