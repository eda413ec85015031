"""Reading topics through the C++ core's consumer, for tests."""

from __future__ import annotations

import time
import uuid

from cdc_pipeline import _core
from tests.e2e.replica import eventually


def wait_for_topic(bootstrap: str, topic: str, timeout_s: float = 90.0) -> None:
    eventually(
        f"topic {topic} appears",
        lambda: any(name == topic for name, _ in _core.cluster_metadata(bootstrap, 5000)),
        timeout_s,
        every_s=0.5,
    )


def read_topic(bootstrap: str, topic: str, count: int, timeout_s: float = 90.0) -> list[_core.Message]:
    """Read ``count`` messages from partition 0 of ``topic``, starting at offset 0."""
    wait_for_topic(bootstrap, topic, timeout_s)
    consumer = _core.Consumer({"bootstrap.servers": bootstrap, "group.id": f"test-{uuid.uuid4().hex[:8]}"})
    try:
        consumer.assign([(topic, 0, 0)])
        messages: list[_core.Message] = []
        deadline = time.monotonic() + timeout_s
        while len(messages) < count and time.monotonic() < deadline:
            messages.extend(consumer.poll_batch(count - len(messages), 500))
        return messages
    finally:
        consumer.close()
