"""The local stack: PostgreSQL, a KRaft Kafka node and a Kafka Connect worker with Debezium, as processes.

Only this package starts processes. Use :func:`up`, :func:`down` and :func:`status`.
"""

from cdc_pipeline.stack.stack import ComponentStatus, StackReport, down, status, up

__all__ = ["ComponentStatus", "StackReport", "down", "status", "up"]
