"""Errors the user sees: one line saying what failed and what to do.

Every error raised on purpose by this package derives from :class:`CdcError`. The CLI prints
``str(error)`` as one line (plus the traceback with ``--debug``); anything else is a bug.
"""

from __future__ import annotations


class CdcError(Exception):
    """An error with a message that names what failed and a hint saying what to do."""

    def __init__(self, what: str, hint: str = "") -> None:
        self.what = what
        self.hint = hint
        text = f"{what}. {hint}".rstrip(". ") if hint else what
        super().__init__(text if not hint or text.endswith(("?", "!")) else text + ".")


class ConfigError(CdcError):
    """A setting has an invalid value (names the key, where it came from and what is accepted)."""


class StackError(CdcError):
    """A local stack component failed to start, stop or answer."""


class ConnectError(CdcError):
    """Kafka Connect's REST API refused a request or is unreachable."""


class KafkaUnavailableError(CdcError):
    """The C++ core's Kafka client gave up (broker down or unreachable, request timed out)."""


def is_core_kafka_error(error: BaseException) -> bool:
    """True for ``cdc_pipeline._core.KafkaError``, known by its type's module and name (the C++ core cannot
    derive from this module's classes, and this module must not load the extension)."""
    kind = type(error)
    return kind.__module__ == "cdc_pipeline._core" and kind.__name__ == "KafkaError"


def kafka_unavailable(error: BaseException, bootstrap_servers: str | None = None) -> KafkaUnavailableError:
    """The core's KafkaError as one line naming the brokers asked and what to do."""
    first = (str(error).strip().splitlines() or [""])[0]
    where = f"Kafka at {bootstrap_servers}" if bootstrap_servers else "Kafka"
    return KafkaUnavailableError(
        f"{where}: {first}",
        "check the broker with `cdc status`; `cdc up` starts the local one (its port is the kafka_port "
        "setting)",
    )


def classify(error: BaseException, bootstrap_servers: str | None = None) -> CdcError | None:
    """The user-facing error for an exception that entered from a library at the edge, or None (a bug).

    ``bootstrap_servers``: the brokers the command used, named in a Kafka error."""
    if is_core_kafka_error(error):
        return kafka_unavailable(error, bootstrap_servers)
    return None
