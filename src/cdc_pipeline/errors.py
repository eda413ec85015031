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
