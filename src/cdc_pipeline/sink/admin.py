"""Requests to change the sink's bookkeeping (`cdc tables resume|skip|resnapshot`), run BETWEEN batches.

The DuckDB file has one writer: the sink process. Its HTTP threads therefore never write; they hand an
action to :class:`AdminQueue` and wait, and the sink loop runs it in its own thread, in a transaction of its
own, between two batches (see :func:`cdc_pipeline.sink.loop.run`). When no sink runs, the CLI opens the file
and runs the same action directly (:func:`run_action`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdc_pipeline.sink.duckdb_target import DuckDBTarget

Action = Callable[["DuckDBTarget"], Any]


def run_action(target: DuckDBTarget, action: Action) -> Any:
    """Run ``action`` in one transaction: all of it is committed, or none of it."""
    target.begin()
    try:
        result = action(target)
        target.commit()
    except BaseException:
        target.rollback()
        raise
    return result


@dataclass
class _Request:
    action: Action
    moves_tables: bool  # it may change a table's state or an offset: the loop re-reads them after it
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class AdminQueue:
    """Actions submitted by the endpoint's threads, run by the sink loop's thread."""

    def __init__(self) -> None:
        self._requests: queue.Queue[_Request] = queue.Queue()

    def submit(self, action: Action, timeout_s: float = 60.0, *, moves_tables: bool = True) -> Any:
        """Wait until the loop ran ``action``; its result, or its exception re-raised here.

        ``moves_tables=False`` for an action that changes no table's state and no offset (a listing): the
        loop then goes on without re-seeking every partition, so polling `cdc tables` never slows the sink.
        """
        request = _Request(action, moves_tables)
        self._requests.put(request)
        if not request.done.wait(timeout_s):
            raise TimeoutError(f"the sink loop did not run the request within {timeout_s:.0f} s")
        if request.error is not None:
            raise request.error
        return request.result

    def run_pending(self, target: DuckDBTarget) -> int:
        """Run every waiting action (loop thread), each in its own transaction; how many of them may have
        moved a table or an offset (the loop then re-reads what DuckDB holds)."""
        ran = 0
        while True:
            try:
                request = self._requests.get_nowait()
            except queue.Empty:
                return ran
            try:
                request.result = run_action(target, request.action)
            except Exception as exc:  # handed back to the requester, who reports it
                request.error = exc
            finally:
                ran += request.moves_tables
                request.done.set()
