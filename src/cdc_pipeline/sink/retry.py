"""The sink's failure model: an error entering at an edge is transient (retried) or terminal (one line).

:func:`classify` looks once at what enters from the two edges, Kafka (``_core.KafkaError``) and DuckDB
(``duckdb.Error``, or the :class:`~cdc_pipeline.sink.errors.ApplyError` that names its table):

- Kafka: the core ends its message with librdkafka's error name, ``(... (_TRANSPORT)``. Names a consumer
  cannot recover from by waiting (authorization, authentication, an unknown topic, an offset that aged out,
  the list of ``core/src/kafka/errors.cpp``) are terminal, and so is a message without a name (an invalid
  setting, a misuse). Any other name (broker down, transport, timed out, leader moving) is transient.
- DuckDB: an I/O error writing the file (``Could not write``, ``No space left``) is transient; every other
  DuckDB error is terminal here (a table's own trouble is handled by the table-isolation rules first).

:class:`Backoff` waits between attempts of one edge: full jitter (a random wait up to a step that doubles
from ``base_s`` to ``max_s``), and the whole episode bounded by ``bound_s`` seconds; past the bound it
raises :class:`GaveUpError`, one line naming the edge, its setting and the last error. A stop asked for
during a wait (SIGTERM, `cdc down`) ends it at once with :class:`RetryInterrupted`. The clock, the sleep
and the random source are injected, so nothing here does I/O of its own (each attempt is one WARNING line).
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
from cdc_pipeline import _core
from cdc_pipeline.errors import CdcError
from cdc_pipeline.sink.errors import ApplyError

log = logging.getLogger("cdc_pipeline.sink.retry")

KAFKA = "kafka"
DUCKDB = "duckdb"

# Mirrors is_permanent_consumer_error (core/src/kafka/errors.cpp), plus the other authorization refusals.
TERMINAL_KAFKA = frozenset(
    {
        "_FATAL",
        "UNKNOWN_TOPIC_OR_PART",
        "_UNKNOWN_TOPIC",
        "_UNKNOWN_PARTITION",
        "TOPIC_AUTHORIZATION_FAILED",
        "GROUP_AUTHORIZATION_FAILED",
        "CLUSTER_AUTHORIZATION_FAILED",
        "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        "SASL_AUTHENTICATION_FAILED",
        "_AUTHENTICATION",
        "_SSL",
        "OFFSET_OUT_OF_RANGE",
        "_AUTO_OFFSET_RESET",
        "TOPIC_EXCEPTION",
        "_INVALID_ARG",
        "_UNSUPPORTED_FEATURE",
        "UNSUPPORTED_VERSION",
        "INVALID_CONFIG",
        "MSG_SIZE_TOO_LARGE",
        "_MSG_SIZE_TOO_LARGE",
        "RECORD_LIST_TOO_LARGE",
    }
)
_KAFKA_NAME = re.compile(r"\((_?[A-Z][A-Z0-9_]*)\)\s*$")
TRANSIENT_DUCKDB = ("could not write", "no space left")


@dataclass(frozen=True)
class Transient:
    """Worth waiting for: ``what`` names the edge (``kafka`` or ``duckdb``)."""

    what: str
    reason: str


@dataclass(frozen=True)
class Terminal:
    """Not worth waiting for: stop with one line."""

    what: str
    reason: str


def classify(exc: BaseException) -> Transient | Terminal:
    """Transient or terminal, for an error that entered at the Kafka or the DuckDB edge (module docstring)."""
    if isinstance(exc, _core.KafkaError):
        match = _KAFKA_NAME.search(str(exc))
        if match is None or match.group(1) in TERMINAL_KAFKA:
            return Terminal(KAFKA, str(exc))
        return Transient(KAFKA, str(exc))
    cause = exc
    if isinstance(exc, ApplyError):
        if exc.table_level or not isinstance(exc.__cause__, duckdb.Error):
            return Terminal(DUCKDB, str(exc))
        cause = exc.__cause__
    if isinstance(cause, duckdb.IOException) and any(s in str(cause).lower() for s in TRANSIENT_DUCKDB):
        return Transient(DUCKDB, str(cause))
    if isinstance(cause, duckdb.Error):
        return Terminal(DUCKDB, str(cause))
    return Terminal("", str(exc))


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff, the episode bounded (all in seconds)."""

    base_s: float = 0.5
    max_s: float = 10.0
    bound_s: float = 120.0

    def step(self, attempt: int) -> float:
        """The ceiling of the wait after failed attempt ``attempt`` (1, 2, ...): base doubled, capped."""
        return min(self.max_s, self.base_s * 2.0 ** min(max(attempt - 1, 0), 60))

    def delay(self, attempt: int, rand: float) -> float:
        """Full jitter: ``rand`` (in [0, 1)) times the step."""
        return min(max(rand, 0.0), 1.0) * self.step(attempt)


@dataclass(frozen=True)
class Retrying:
    """One edge being retried: since when (wall clock, for status), which attempt failed last and why."""

    what: str
    since: float  # time.time() of the first failure
    attempt: int
    error: str


class GaveUpError(CdcError):
    """An edge kept failing for longer than its bound: the sink stops (DuckDB's offsets lose nothing)."""


class RetryInterrupted(Exception):  # noqa: N818 (not an error: a stop was asked for during a wait)
    """The sink was asked to stop while it waited to retry: it stops now, DuckDB's offsets as they are."""


PAUSE_SLICE_S = 0.2  # how often a wait looks at the stop flag


Observer = Callable[[str, Retrying | None], None]


def ignore_retries(_what: str, _state: Retrying | None) -> None:
    return None


class Backoff:
    """The retries of one edge: :meth:`wait` after each transient failure, :meth:`succeeded` after success.

    ``label`` names the edge in the give-up line (``Kafka at 127.0.0.1:19092``), ``setting`` its bound's
    variable, ``fix`` what to do; ``observe`` hears every attempt (and None once it succeeded).
    """

    def __init__(
        self,
        what: str,
        policy: RetryPolicy,
        *,
        label: str,
        setting: str,
        fix: str,
        observe: Observer = ignore_retries,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        interrupted: Callable[[], bool] = lambda: False,
        slice_s: float = PAUSE_SLICE_S,
    ) -> None:
        self.what = what
        self.policy = policy
        self.label = label
        self.setting = setting
        self.fix = fix
        self.observe = observe
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._rand = rand
        self.interrupted = interrupted
        self._slice_s = slice_s
        self._started: float | None = None
        self.state: Retrying | None = None

    def wait(self, error: BaseException) -> float:
        """Sleep before the next attempt and return the wait; :class:`GaveUpError` past the bound."""
        now = self._clock()
        text = str(error).strip() or type(error).__name__
        if self._started is None or self.state is None:
            self._started = now
            self.state = Retrying(self.what, self._wall(), 0, text)
        self.state = replace(self.state, attempt=self.state.attempt + 1, error=text)
        delay = self.policy.delay(self.state.attempt, self._rand())
        elapsed = now - self._started
        if elapsed + delay > self.policy.bound_s:
            self.observe(self.what, None)
            raise GaveUpError(
                f"{self.label} kept failing for {elapsed:.0f} s ({self.state.attempt} attempts; the bound is "
                f"{self.setting}={self.policy.bound_s:g} s); last error: {text}",
                self.fix,
            ) from error
        self.observe(self.what, self.state)
        log.warning(
            "%s failed (attempt %d, %.0f s so far), retrying in %.1f s (the sink stops after %s=%g s): %s",
            self.label,
            self.state.attempt,
            elapsed,
            delay,
            self.setting,
            self.policy.bound_s,
            text,
        )
        self._pause(delay)
        return delay

    def _pause(self, delay: float) -> None:
        """Sleep ``delay`` in slices; :class:`RetryInterrupted` as soon as a stop is asked for."""
        end = self._clock() + delay
        while not self.interrupted():
            left = end - self._clock()
            if left <= 0:
                return
            self._sleep(min(left, self._slice_s))
        raise RetryInterrupted(f"{self.label}: stop requested while waiting to retry")

    def succeeded(self) -> None:
        """The edge answered: the episode ends (the next failure starts a new one)."""
        if self.state is not None:
            self.state = None
            self._started = None
            self.observe(self.what, None)


def stop_error(verdict: Transient | Terminal, duckdb_file: Path, bootstrap_servers: str) -> CdcError:
    """The one line a terminal failure stops the sink with: what failed, the error, what to do."""
    if verdict.what == KAFKA:
        return CdcError(
            f"Kafka at {bootstrap_servers or '?'} refused the sink: {verdict.reason}",
            "this is not retried: fix the cause (the topic, ACLs or credentials, the Kafka settings), then "
            "start the sink again (`cdc up`); it resumes at DuckDB's offsets, so nothing is lost",
        )
    if verdict.what == DUCKDB:
        return CdcError(
            f"DuckDB file {duckdb_file} failed: {verdict.reason}",
            "nothing of the batch in flight was applied; fix the cause (disk space, permissions of "
            f"{duckdb_file.parent}), then start the sink again (`cdc up`); it resumes at DuckDB's offsets",
        )
    return CdcError(f"the sink failed: {verdict.reason}", "start it again with `cdc up`")


__all__ = [
    "DUCKDB",
    "KAFKA",
    "Backoff",
    "GaveUpError",
    "RetryInterrupted",
    "RetryPolicy",
    "Retrying",
    "Terminal",
    "Transient",
    "classify",
    "ignore_retries",
    "stop_error",
]
