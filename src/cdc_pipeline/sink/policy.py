"""What the sink does when one table's change cannot be applied: the ``SINK_ON_ERROR`` policy.

- ``stop-table`` (the default): stop only that table. Its partitions are held (not committed, rewound), the
  reason and the exact position (topic, partition, offset) are recorded in ``_cdc.tables``, and every other
  table keeps flowing. ``cdc tables`` lists the stop and the command that recovers it.
- ``dead-letter``: a record the core cannot decode or convert goes to the dead-letter topic (with reason
  headers, logged with the reason) and the table goes on; any other failure of a table stops that table.
- ``stop-sink``: the old behaviour (``stop`` is accepted as an alias): a bad record stops the whole sink
  there, after applying everything before it; a restart after the fix resumes exactly at that record.

Process-level failures (the DuckDB file cannot be written, Kafka unreachable past retries, a bug) stop the
sink whatever the policy.
"""

from __future__ import annotations

from typing import Literal

OnError = Literal["stop-table", "dead-letter", "stop-sink"]
POLICIES: tuple[OnError, ...] = ("stop-table", "dead-letter", "stop-sink")
_ALIASES: dict[str, OnError] = {"stop": "stop-sink"}


def parse_on_error(value: object) -> OnError:
    """The canonical policy for ``value`` (case and ``_``/``-`` do not matter; ``stop`` = ``stop-sink``)."""
    text = str(value).strip().lower().replace("_", "-")
    text = _ALIASES.get(text, text)
    for policy in POLICIES:
        if text == policy:
            return policy
    raise ValueError(f"must be one of {', '.join(POLICIES)} (or stop, an alias of stop-sink), not {value!r}")


def core_policy(policy: OnError) -> Literal["stop", "dead_letter"]:
    """The C++ batcher's policy: only dead-letter consumes past a bad record; the others end a batch there."""
    return "dead_letter" if policy == "dead-letter" else "stop"
