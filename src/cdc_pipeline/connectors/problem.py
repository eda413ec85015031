"""One preflight finding: what is wrong and the command that fixes it."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    check: str
    message: str
    fix: str
    blocking: bool = True

    def line(self) -> str:
        return f"{self.message}; fix: {self.fix}"


def ident(name: str) -> str:
    """An SQL identifier as one would type it: bare when that is safe, double-quoted otherwise."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'
