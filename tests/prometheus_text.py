"""Read a ``GET /metrics`` answer with prometheus_client's own parser: samples by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of the exposition text (a malformed line raises)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: Samples | str, name: str, **labels: str) -> float | None:
    """The value of ``name`` with exactly these labels; None when there is no such sample."""
    parsed = parse(samples) if isinstance(samples, str) else samples
    return parsed.get((name, frozenset(labels.items())))
