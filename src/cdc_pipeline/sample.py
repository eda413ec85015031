"""Load the sample schema and rows (examples/init_data.sql) into the stack's PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg

from cdc_pipeline.config.settings import Settings
from cdc_pipeline.errors import CdcError


def postgres_dsn(settings: Settings, dbname: str | None = None) -> str:
    """A libpq connection string for the stack's PostgreSQL (127.0.0.1 only)."""
    return psycopg.conninfo.make_conninfo(
        host="127.0.0.1",
        port=settings.postgres_port,
        user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value(),
        dbname=dbname or settings.postgres_db,
        connect_timeout=10,
    )


def load_sql_file(settings: Settings, path: Path) -> None:
    """Run a SQL script in one transaction; the sample script is written to be safe to run twice."""
    try:
        script = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CdcError(
            f"cannot read sample SQL {path}: {exc.strerror}", "run from the repository root"
        ) from exc
    try:
        with psycopg.connect(postgres_dsn(settings)) as conn:
            conn.execute(script.encode())
    except psycopg.Error as exc:
        raise CdcError(
            f"loading {path} into PostgreSQL on port {settings.postgres_port} failed: {str(exc).strip()}",
            "fix the script, or check `cdc status` and .cdc/logs/postgres.log",
        ) from exc
