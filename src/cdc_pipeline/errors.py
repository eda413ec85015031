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
        super().__init__(f"{what}. {hint}".rstrip(". ") + "." if hint else what)


class ConfigError(CdcError):
    """A setting has an invalid value (names the key, where it came from and what is accepted)."""


class StackError(CdcError):
    """A local stack component failed to start, stop or answer."""


class ConnectError(CdcError):
    """Kafka Connect's REST API refused a request or is unreachable."""


class KafkaUnavailableError(CdcError):
    """The C++ core's Kafka client gave up (broker down or unreachable, request timed out)."""


def classify(error: BaseException) -> CdcError | None:
    """The user-facing error for an exception that entered from a library at the edge, or None (a bug).

    The C++ core raises ``cdc_pipeline._core.KafkaError`` (it cannot derive from this module's classes);
    it is classified here by its type's module and name, so the CLI need not load the extension."""
    kind = type(error)
    first = (str(error).strip().splitlines() or [""])[0]
    if kind.__module__ == "cdc_pipeline._core" and kind.__name__ == "KafkaError":
        return KafkaUnavailableError(
            f"Kafka: {first}", "check the broker with `cdc status`; `cdc up` starts the local one"
        )
    return None
