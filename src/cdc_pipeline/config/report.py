"""What `cdc config show` prints: every setting's effective value (secrets masked) and where it came from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import SecretStr

from cdc_pipeline.config.loading import LoadedSettings
from cdc_pipeline.config.settings import SECRET_FIELDS
from cdc_pipeline.config.values import MASK, is_secret_key


@dataclass(frozen=True)
class ConfigRow:
    key: str
    value: str
    source: str
    description: str = ""


@dataclass(frozen=True)
class ConfigReport:
    rows: list[ConfigRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"settings": [asdict(r) for r in self.rows]}


def config_report(loaded: LoadedSettings) -> ConfigReport:
    """One row per setting, in the model's order; secret values never leave this function unmasked."""
    settings = loaded.settings
    rows = []
    for name, info in type(settings).model_fields.items():
        value = getattr(settings, name)
        rows.append(
            ConfigRow(
                key=name,
                value=show_value(name, value),
                source=loaded.sources.get(name, "default"),
                description=info.description or "",
            )
        )
    return ConfigReport(rows=rows)


def show_value(name: str, value: Any) -> str:
    """A setting's value as text: secrets masked, mappings with secret-looking keys masked inside."""
    if name in SECRET_FIELDS or isinstance(value, SecretStr):
        return MASK
    if isinstance(value, dict):
        value = {k: MASK if is_secret_key(str(k)) else v for k, v in value.items()}
        return json.dumps(value, sort_keys=False)
    if isinstance(value, list):
        return json.dumps(value)
    return "" if value is None else str(value)
