"""What a connector's Kafka Connect log lines say: retries since its last streaming start, its last error,
whether an initial snapshot runs. Pure text scanning (no I/O); the poller feeds it the log's tail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# What Debezium 3.x logs on its task's threads (found on the real stack, see tests/e2e/test_stalled.py):
# a retriable error makes ErrorHandler log "Retry N of unlimited retries will be attempted" and BaseSourceTask
# "Going to restart connector after 10 sec. after a retriable exception"; a slot held by another process
# makes PostgresReplicationConnection log "Failed to start replication stream at LSN{..}, waiting for 10000
# ms and retrying, attempt number N over 6" (then the task restarts, and so on without end). Streaming
# really resumed once it logs "Searching for WAL resume position" / "Processing messages".
RETRY_COUNTED = ("of unlimited retries will be attempted", "Failed to start replication stream")
RETRY_MARKERS = (*RETRY_COUNTED, "after a retriable exception", "restart backoff period")
STREAMING_MARKERS = ("Processing messages", "Searching for WAL resume position")
ERROR_LEVELS = (" ERROR ", " WARN ")
# An initial snapshot streams nothing and confirms nothing for as long as it reads: never a stall.
SNAPSHOT_MARKERS = ("Snapshot step ", "Exporting data from table", "Exported ", "Snapshot - Final stage")
SNAPSHOT_END_MARKERS = ("Snapshot ended", "Snapshot completed")
_EXCEPTION = re.compile(r"^(?:Caused by: )?[\w$]+(?:\.[\w$]+)+(?:Exception|Error)\b.*$")


@dataclass(frozen=True)
class RetryFacts:
    """What the connector's Connect log lines say since its last streaming start."""

    retrying: bool = False
    retries: int = 0  # retriable restarts since the last streaming start
    last_error: str | None = None
    snapshotting: bool = False  # an initial snapshot runs (its lines come after the last streaming start)


def context_tag(connector: str) -> str:
    """How ``%X{connector.context}`` names the connector's task threads: ``[name|task-0] ``."""
    return f"[{connector}|task-"


def retry_facts(lines: Iterable[str], connector: str) -> RetryFacts:
    """Scan Connect log lines (oldest first) for the connector's retries since it last started streaming.

    ``last_error`` is the connector's latest ERROR line, or WARN line followed by an exception, joined with
    that exception's first line (``Producer failure: org.postgresql.util.PSQLException: ...``).
    """
    tag = context_tag(connector)
    retries = 0
    retrying = snapshotting = False
    last_error: str | None = None
    current: str | None = None  # our latest WARN/ERROR message, waiting for its exception line
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.startswith("["):  # a continuation: exception text or a stack frame
            if current is not None and _EXCEPTION.match(line.strip()):
                last_error, current = f"{current}: {line.strip()[:400]}", None
            continue
        current = None
        if tag not in line:
            continue
        if any(m in line for m in STREAMING_MARKERS):
            retrying, retries, last_error, snapshotting = False, 0, None, False
            continue
        if any(m in line for m in SNAPSHOT_MARKERS):
            snapshotting = True
        elif any(m in line for m in SNAPSHOT_END_MARKERS):
            snapshotting = False
        if any(m in line for m in RETRY_MARKERS):
            retrying = True
            retries += any(m in line for m in RETRY_COUNTED)
        level = next((lv.strip() for lv in ERROR_LEVELS if lv in line), None)
        if level is not None:
            current = _message(line)
            if level == "ERROR":
                last_error = current
    return RetryFacts(retrying, retries, last_error, snapshotting)


_LINE = re.compile(r"^\[[^\]]*\] (?:ERROR|WARN) (?:\[[^\]]*\] )?(?P<message>.*?)(?: \([\w.$]+\))?$")


def _message(line: str) -> str:
    """The message of a ``[date] LEVEL [ctx] message (logger)`` line, without date, level and logger."""
    match = _LINE.match(line)
    return (match.group("message") if match else line).strip()[:300]
