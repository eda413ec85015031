"""The sink endpoint's bearer token: a random secret in a 0600 file of the state directory.

The sink creates it on its first start (and keeps it across restarts); every request except ``GET /health``
must carry ``Authorization: Bearer <token>``. The CLI reads the file, so whoever may read the state directory
may query, and nobody else on the machine. ``curl`` users pass the same header::

    curl -H "Authorization: Bearer $(cat .cdc/sink.token)" 127.0.0.1:18090/status
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cdc_pipeline.errors import CdcError

TOKEN_FILE = "sink.token"
SCHEME = "Bearer"


@dataclass(frozen=True)
class EndpointToken:
    """The secret the server checks, and the file it is in (named in a 401's message)."""

    value: str
    path: Path

    def unauthorized_message(self) -> str:
        return (
            f"missing or wrong token: send the header `Authorization: Bearer <token>`; the token is in "
            f'{self.path} (e.g. curl -H "Authorization: Bearer $(cat {self.path})" ...)'
        )


def token_path(state_dir: Path) -> Path:
    return state_dir / TOKEN_FILE


def ensure_token(path: Path) -> str:
    """The token in ``path``, created (mode 0600, never readable by others) when missing or empty."""
    existing = _read(path)
    if existing:
        path.chmod(0o600)
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    tmp.replace(path)
    return token


def read_token(path: Path) -> str:
    """The token the running sink expects, or a :class:`CdcError` saying why it cannot be read."""
    try:
        token = _read(path)
    except PermissionError as exc:
        raise CdcError(
            f"cannot read the sink's token {path} (permission denied)",
            "run the command as the user that runs the sink (or root)",
        ) from exc
    if not token:
        raise CdcError(
            f"no sink token at {path}", "the sink creates it when it starts: run `cdc up` or `cdc sink`"
        )
    return token


def auth_headers(state_dir: Path) -> dict[str, str]:
    """The header that authenticates a request to the sink of ``state_dir``; none when no token exists yet
    (the sink then answers 401, which names the file)."""
    try:
        token = _read(token_path(state_dir))
    except PermissionError:
        return {}
    return {"Authorization": f"{SCHEME} {token}"} if token else {}


def authorized(header: str | None, token: str) -> bool:
    """Does an ``Authorization`` header carry ``token``? (Constant-time comparison.)"""
    scheme, _, given = (header or "").strip().partition(" ")
    return scheme.lower() == SCHEME.lower() and hmac.compare_digest(given.strip().encode(), token.encode())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return ""
