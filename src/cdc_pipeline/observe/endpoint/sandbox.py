"""What a query may reach: the replica's tables and nothing else on the machine.

DuckDB's ``enable_external_access = false`` turns off every file, glob, URL and extension access for the
whole database instance (``read_text``, ``read_blob``, ``glob``, ``read_csv``, ``query('...')`` indirection,
``ATTACH``, ``COPY``, ``INSTALL``), and ``lock_configuration`` keeps any statement from turning it back on.
The database file itself, its WAL and its temp directory stay usable, and so do Arrow streams the sink
registers, so the sink applies batches as before. The sink also sets ``memory_limit`` (SINK_MEMORY_LIMIT)
before the lock: DuckDB has no per-query memory limit, so the instance's bounds the sink and every query
together (a query past it fails with DuckDB's out-of-memory error; the sink's batch spills to its temp
directory). The sink process and the read-only file fallback of `cdc query` both open the database
through here before any query runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

LOCKED = {"enable_external_access": False, "lock_configuration": True}


def lock_down(conn: duckdb.DuckDBPyConnection, memory_limit: str | None = None) -> None:
    """Close the instance to the outside world, for good (settings are per instance, so for every cursor);
    ``memory_limit`` (DuckDB's form, ``4GB``) bounds it before the lock, so no query can raise it."""
    if memory_limit is not None:
        conn.execute(f"SET memory_limit = '{_size(memory_limit)}'")
    conn.execute("SET enable_external_access = false")
    conn.execute("SET lock_configuration = true")


def _size(text: str) -> str:
    """A DuckDB size (validated by the setting's pattern; checked again, as it is put in SQL text)."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", text):
        raise ValueError(f"not a DuckDB memory size: {text!r}")
    return text


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The replica file opened read-only by another process, locked down before it answers a query."""
    conn = duckdb.connect(str(path), read_only=True)
    lock_down(conn)
    return conn
