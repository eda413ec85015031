"""The query endpoint's statement check: what is refused, what runs, and the messages."""

from __future__ import annotations

import pytest

from cdc_pipeline.observe.endpoint.readonly import InvalidSqlError, WriteRefusedError, check_read_only

ALLOWED = [
    "SELECT 1",
    "select * from users where id = 1",
    "WITH a AS (SELECT 1 AS x) SELECT x FROM a",
    "FROM users SELECT id",
    "VALUES (1), (2)",
    "SHOW TABLES",
    "DESCRIBE users",
    "SUMMARIZE SELECT 1",
    "EXPLAIN SELECT 1",
    "SELECT 'INSERT INTO t VALUES (1)'",  # a write inside a string literal is text
    "SELECT 1 -- ; DROP TABLE users",
    "SELECT currval('s')",
    "SELECT * FROM duckdb_settings()",
]

REFUSED = [
    ("INSERT INTO t VALUES (1)", "INSERT"),
    ("UPDATE t SET a = 1", "UPDATE"),
    ("DELETE FROM t", "DELETE"),
    ("TRUNCATE t", "DELETE"),
    ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "MERGE"),
    ("CREATE TABLE x (a INT)", "CREATE"),
    ("CREATE MACRO m() AS 1", "CREATE"),
    ("DROP TABLE users", "DROP"),
    ("ALTER TABLE users ADD COLUMN x INT", "ALTER"),
    ("COMMENT ON TABLE t IS 'x'", "ALTER"),
    ("COPY users TO '/tmp/x.csv'", "COPY"),
    ("EXPORT DATABASE '/tmp/x'", "EXPORT"),
    ("ATTACH '/tmp/x.duckdb' AS x", "ATTACH"),
    ("DETACH x", "DETACH"),
    ("INSTALL httpfs", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("SET threads = 1", "SET"),
    ("RESET threads", "SET"),
    ("USE memory", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CHECKPOINT", "CALL"),
    ("CALL checkpoint()", "CALL"),
    ("VACUUM", "VACUUM"),
    ("BEGIN", "TRANSACTION"),
    ("COMMIT", "TRANSACTION"),
    ("SELECT 1; DROP TABLE users", "one statement"),
    ("SELECT 1; SELECT 2", "one statement"),
    ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN ANALYZE"),
    ("EXPLAIN INSERT INTO t VALUES (1)", "INSERT"),
    ("SELECT * FROM checkpoint()", "checkpoint"),
    ("SELECT * FROM force_checkpoint()", "force_checkpoint"),
    ("SELECT nextval('s')", "nextval"),
    ("SELECT x FROM (SELECT setval('s', 1) AS x)", "setval"),
]


@pytest.mark.parametrize("sql", ALLOWED)
def test_read_only_statements_pass(sql: str) -> None:
    assert check_read_only(sql) == sql


@pytest.mark.parametrize(("sql", "named"), REFUSED)
def test_writes_are_refused_with_a_reason(sql: str, named: str) -> None:
    with pytest.raises(WriteRefusedError, match=named):
        check_read_only(sql)


def test_the_refusal_says_the_endpoint_is_read_only() -> None:
    with pytest.raises(WriteRefusedError, match="read-only and runs SELECT only"):
        check_read_only("INSERT INTO t VALUES (1)")


@pytest.mark.parametrize("sql", ["selec 1", "SELECT FROM WHERE", ""])
def test_invalid_sql_is_not_a_refusal(sql: str) -> None:
    with pytest.raises(InvalidSqlError):
        check_read_only(sql)
