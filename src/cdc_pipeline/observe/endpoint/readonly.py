"""Which SQL the query endpoint runs: one read-only statement, decided by DuckDB's own parser.

Three layers, because each alone has a gap:

1. ``duckdb.extract_statements`` splits and classifies the text exactly as DuckDB will run it, so comments,
   string literals and ``SELECT 1; DROP TABLE x`` cannot hide a second statement: exactly one statement,
   of type SELECT (which includes ``WITH``, ``FROM``-first, ``VALUES``, ``SHOW``, ``DESCRIBE``,
   ``SUMMARIZE``, ``PIVOT``-less ``UNPIVOT``) or EXPLAIN without ANALYZE (which would execute the statement).
2. A SELECT can still write or act outside its transaction: a writable CTE (``WITH x AS (DELETE ... RETURNING
   *) SELECT ...``) or functions such as ``checkpoint()`` and sequences. So the parsed tree
   (``json_serialize_sql``) is searched for any INSERT/UPDATE/DELETE/MERGE node and for those function
   names, and a SELECT whose tree DuckDB cannot serialize is refused rather than trusted.
3. The statement runs in a transaction that is always rolled back (see :mod:`.query_exec`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import duckdb

# Functions a SELECT may call that act outside the statement's transaction, or write.
DENIED_FUNCTIONS = frozenset({"checkpoint", "force_checkpoint", "nextval", "setval"})
_EXPLAIN = re.compile(r"^\s*EXPLAIN\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_ANALYZE = re.compile(r"^\s*(\(\s*)?ANALY[SZ]E\b", re.IGNORECASE)
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT"})
_PARSER = threading.local()  # an in-memory connection per thread, only to serialize parse trees


class WriteRefusedError(ValueError):
    """The statement would write, or is not a single read-only statement; the message says which."""


class InvalidSqlError(ValueError):
    """DuckDB cannot parse the text (the message is DuckDB's)."""


def check_read_only(sql: str) -> str:
    """The one statement to run (its text), or raise WriteRefusedError / InvalidSqlError saying why not."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise InvalidSqlError(str(exc)) from exc
    except ValueError as exc:  # statement types the Python enum does not know (e.g. CONNECT)
        raise WriteRefusedError(f"the endpoint runs SELECT statements only ({exc})") from exc
    if not statements:
        raise InvalidSqlError("no SQL statement given")
    if len(statements) > 1:
        kinds = ", ".join(s.type.name for s in statements)
        raise WriteRefusedError(f"one statement at a time, got {len(statements)} ({kinds})")
    statement = statements[0]
    kind = statement.type.name
    if kind == "EXPLAIN":
        _check_explain(sql)
    elif kind != "SELECT":
        raise WriteRefusedError(
            f"{kind} statements are refused: the query endpoint is read-only and runs SELECT only"
            + (" (read settings with SELECT * FROM duckdb_settings())" if kind in {"SET", "PRAGMA"} else "")
        )
    else:
        _check_functions(sql)
    return sql


def _check_explain(sql: str) -> None:
    """EXPLAIN of a read-only statement; EXPLAIN ANALYZE runs its statement, so it must be a SELECT too."""
    match = _EXPLAIN.match(sql)
    rest = match.group("rest") if match else ""
    if _ANALYZE.match(rest):
        raise WriteRefusedError(
            "EXPLAIN ANALYZE executes the statement; use EXPLAIN, or run the SELECT itself"
        )
    if rest.strip():
        check_read_only(rest)


def _check_functions(sql: str) -> None:
    if not hasattr(_PARSER, "conn"):
        _PARSER.conn = duckdb.connect(":memory:")
    serialized = _PARSER.conn.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree: Any = json.loads(serialized[0]) if serialized else {"error": True}
    if tree.get("error"):
        raise WriteRefusedError(
            "this statement form cannot be inspected, so the read-only endpoint refuses it: "
            + str(tree.get("error_message") or "write it as a plain SELECT")
        )
    writes = sorted(set(_writing_nodes(tree)))
    if writes:
        raise WriteRefusedError(
            f"the statement writes ({', '.join(writes)} inside a SELECT, e.g. a writable CTE); "
            "the endpoint is read-only"
        )
    used = {name.lower() for name in _function_names(tree)}
    denied = sorted(used & DENIED_FUNCTIONS)
    if denied:
        raise WriteRefusedError(
            f"function {', '.join(denied)}() changes the database; the endpoint is read-only"
        )


def _writing_nodes(node: Any) -> Iterator[str]:
    """Query nodes that change rows (``DELETE_QUERY_NODE``...), anywhere in the tree."""
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str) and kind.endswith("_QUERY_NODE") and kind.split("_")[0] in _WRITES:
            yield kind.removesuffix("_QUERY_NODE")
        for value in node.values():
            yield from _writing_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _writing_nodes(value)


def _function_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        name = node.get("function_name")
        if isinstance(name, str):
            yield name
        for value in node.values():
            yield from _function_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _function_names(value)
