"""verify's SQL text (both dialects) and its comparison logic on canned query results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from cdc_pipeline.observe.verify import sql as verify_sql
from cdc_pipeline.observe.verify.compare import MAX_BUCKETS, TableShape, bucket_count, compare
from cdc_pipeline.observe.verify.sql import ColumnPair, column_text, row_hash

ID = ColumnPair("id", "int4", "INTEGER")
NAME = ColumnPair('we"ird name', "text", "VARCHAR")


@pytest.mark.parametrize(
    ("column", "pg_part", "duck_part"),
    [
        (ColumnPair("c", "float8", "DOUBLE"), "float8send", "AS BIT) AS BIGINT"),
        (ColumnPair("c", "float4", "FLOAT"), "float4send", "AS BIT) AS INTEGER"),
        (ColumnPair("c", "float4", "DOUBLE"), 'CAST("c" AS float8)', "AS BIT) AS BIGINT"),
        (ColumnPair("c", "numeric", "DECIMAL(38,18)"), "rtrim(rtrim(", "rtrim(rtrim("),
        (ColumnPair("c", "timestamptz", "TIMESTAMP WITH TIME ZONE"), "extract(epoch FROM", "epoch_us("),
        (ColumnPair("c", "date", "DATE"), "DATE '1970-01-01'", "DATE '1970-01-01'"),
        (ColumnPair("c", "interval", "INTERVAL"), "extract(year FROM", "datepart('year'"),
        (ColumnPair("c", "bytea", "BLOB"), "encode(", "lower(hex("),
        (ColumnPair("c", "bit", "BOOLEAN"), "B'1'", 'CAST("c" AS VARCHAR)'),
        (ColumnPair("c", "jsonb", "JSON"), "format('%s'", 'CAST("c" AS VARCHAR)'),
        (ColumnPair("c", "bpchar", "VARCHAR"), "format('%s'", 'CAST("c" AS VARCHAR)'),
        (ColumnPair("c", "_int4", "INTEGER[]"), "unnest(", "list_transform("),
    ],
)
def test_each_type_has_one_form_per_dialect(column: ColumnPair, pg_part: str, duck_part: str) -> None:
    assert pg_part in column_text(column, "pg")
    assert duck_part in column_text(column, "duck")


def test_row_text_is_length_prefixed_with_a_null_marker_and_quoted_names() -> None:
    text = verify_sql.row_text([ID, NAME], "duck")
    assert '"we""ird name"' in text
    assert "IS NULL THEN '-'" in text and "strlen(" in text
    assert "octet_length(" in verify_sql.row_text([ID], "pg")


def test_hashes_are_60_bit_and_positive_on_both_sides() -> None:
    assert "AS bit(60)) AS BIGINT" in row_hash([ID], "pg")
    assert "CAST('0x' || substr(md5(" in row_hash([ID], "duck")
    assert ", 1, 15)" in row_hash([ID], "duck")


def test_bucket_sums_group_by_bucket_and_print_the_sum_as_text() -> None:
    sql = verify_sql.bucket_sums('"main"."t"', [ID, NAME], ["id"], 64, "duck")
    assert sql.startswith("SELECT __b, count(*), CAST(sum(__h) AS VARCHAR)")
    assert "% 64)" in sql and sql.endswith("GROUP BY __b")


def test_rows_in_buckets_selects_key_texts_then_bucket_and_hash() -> None:
    sql = verify_sql.rows_in_buckets(
        '"public"."t"', columns=[ID, NAME], keys=["id"], buckets=8, chosen=[1, 5], dialect="pg"
    )
    assert "AS __k0," in sql and "__k1" not in sql
    assert sql.endswith("WHERE __b IN (1, 5)")


def test_bucket_count_follows_the_table_size() -> None:
    assert bucket_count(0) == 1
    assert bucket_count(10_000) == 50
    assert bucket_count(10**9) == MAX_BUCKETS


class FakeSide:
    """Answers the two queries compare() sends, from (key, row hash) pairs."""

    def __init__(self, rows: Sequence[tuple[str, int]], buckets: int) -> None:
        self.rows = [(key, h, int(key) % buckets) for key, h in rows]

    def __call__(self, sql: str) -> list[tuple[Any, ...]]:
        if sql.startswith("SELECT __b"):
            sums: dict[int, tuple[int, int]] = {}
            for _, h, b in self.rows:
                n, s = sums.get(b, (0, 0))
                sums[b] = (n + 1, s + h)
            return [(b, n, str(s)) for b, (n, s) in sums.items()]
        chosen = {int(b) for b in sql.rsplit("IN (", 1)[1].rstrip(")").split(",")}
        return [(key, b, h) for key, h, b in self.rows if b in chosen]


SHAPE = TableShape('"public"."t"', '"main"."t"', [ID], ["id"], buckets=4)


def test_equal_tables_compare_equal() -> None:
    rows = [(str(i), i * 7) for i in range(20)]
    result = compare(SHAPE, FakeSide(rows, 4), FakeSide(rows, 4), sample=5)
    assert result.equal and (result.rows_pg, result.rows_duck) == (20, 20)
    assert result.missing == result.extra == result.changed == []


def test_missing_extra_and_changed_keys_are_told_apart() -> None:
    pg = [(str(i), i * 7) for i in range(20)]
    duck = [(k, h + 1 if k == "5" else h) for k, h in pg if k != "3"] + [("99", 1)]
    result = compare(SHAPE, FakeSide(pg, 4), FakeSide(duck, 4), sample=5)
    assert not result.equal
    assert result.missing == [{"id": "3"}]
    assert result.extra == [{"id": "99"}]
    assert result.changed == [{"id": "5"}]
    assert (result.missing_count, result.extra_count, result.changed_count) == (1, 1, 1)
    assert result.counts_exact


def test_samples_are_bounded_but_counted() -> None:
    pg = [(str(i), i) for i in range(50)]
    result = compare(SHAPE, FakeSide(pg, 4), FakeSide([], 4), sample=3)
    assert len(result.missing) == 3 and result.missing_count == 50
