#include "cdc/pipeline/table_export.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "support/arrow_read.hpp"
#include "support/events.hpp"

namespace cdc::pipeline {
namespace {

using decode::EventKind;
using namespace cdc::test;  // NOLINT(google-build-using-namespace)

buffer::TableBuffer users_buffer() {
  return buffer::TableBuffer("dbserver1.public.users", "public", "users");
}

void add(buffer::TableBuffer& buffer, decode::ChangeEvent event) {
  ASSERT_TRUE(buffer.add(std::move(event)).is_ok());
}

std::vector<std::string> child_names(const arrow::Table& table) {
  std::vector<std::string> names;
  for (const arrow::Field& field : table.schema.children) names.push_back(field.name);
  return names;
}

TEST(TableExportTest, DescribesColumnsAndKeys) {
  buffer::TableBuffer buffer = users_buffer();
  add(buffer, upsert(1, text("a"), null_cell()));
  Result<TableBatch> batch = export_table(buffer);
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  EXPECT_EQ(batch->topic, "dbserver1.public.users");
  EXPECT_EQ(batch->source_schema, "public");
  EXPECT_EQ(batch->source_table, "users");
  ASSERT_EQ(batch->columns.size(), 3U);
  EXPECT_EQ(batch->columns[0].name, "id");
  EXPECT_EQ(batch->columns[0].duck_type, "BIGINT");
  EXPECT_TRUE(batch->columns[0].key);
  EXPECT_FALSE(batch->columns[1].key);
  EXPECT_EQ(batch->columns[1].duck_type, "VARCHAR");
  EXPECT_EQ(batch->key_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(batch->deletes, nullptr);
  ASSERT_NE(batch->upserts, nullptr);
  EXPECT_EQ(batch->upserts->num_rows(), 1);
  EXPECT_TRUE(batch->unavailable.empty());
  EXPECT_EQ(batch->counts.creates, 1);
}

// The fingerprint a target plans by: equal for two batches of one schema, different when any planned
// attribute of a column or the key changes (a truncate without a schema has none).
TEST(TableExportTest, SchemaFingerprintFollowsEveryPlannedAttribute) {
  auto exported = [](std::int64_t id) {
    buffer::TableBuffer buffer = users_buffer();
    add(buffer, upsert(id, text("a"), null_cell()));
    Result<TableBatch> batch = export_table(buffer);
    EXPECT_TRUE(batch.is_ok());
    return *batch;
  };
  const TableBatch first = exported(1);
  EXPECT_EQ(first.schema_fingerprint, exported(2).schema_fingerprint);
  EXPECT_EQ(first.schema_fingerprint, schema_fingerprint(first.columns, first.key_columns));

  std::vector<std::uint64_t> seen{first.schema_fingerprint};
  auto changed = [&](auto edit) {
    std::vector<Column> columns = first.columns;
    std::vector<std::string> keys = first.key_columns;
    edit(columns, keys);
    seen.push_back(schema_fingerprint(columns, keys));
  };
  changed([](auto& c, auto&) { c[1].name = "Name"; });
  changed([](auto& c, auto&) { c[1].duck_type = "INTEGER"; });
  changed([](auto& c, auto&) { c[1].nullable = !c[1].nullable; });
  changed([](auto& c, auto&) { c[1].default_sql = "'x'"; });
  changed([](auto& c, auto&) { c[1].key = true; });
  changed([](auto& c, auto& k) { k.push_back(c[1].name); });
  changed([](auto& c, auto&) { c.pop_back(); });
  changed([](auto& c, auto&) { std::swap(c[1], c[2]); });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "two different schemas collided";

  buffer::TableBuffer truncated = users_buffer();
  add(truncated, make_event({.kind = EventKind::kTruncate}));
  Result<TableBatch> none = export_table(truncated);
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none->schema_fingerprint, 0U);
}

TEST(TableExportTest, PlaceholderColumnsGetAMask) {
  buffer::TableBuffer buffer = users_buffer();
  add(buffer, upsert(1, text("a"), toast(), EventKind::kUpdate));
  add(buffer, upsert(2, text("b"), text("bio"), EventKind::kUpdate));
  Result<TableBatch> batch = export_table(buffer);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(batch->unavailable, std::vector<std::string>{"bio"});
  EXPECT_EQ(child_names(*batch->upserts),
            (std::vector<std::string>{"id", "name", "bio", "__cdc_unavailable_2"}));
  OwnedArray rows;
  arrow::export_batch(batch->upserts->batches[0], &rows.array);
  const ArrowArray& mask = *rows.array.children[3];
  EXPECT_TRUE(bit_at(mask.buffers[1], 0));
  EXPECT_FALSE(bit_at(mask.buffers[1], 1));
  EXPECT_FALSE(is_valid(*rows.array.children[2], 0));
}

TEST(TableExportTest, KeyedDeletesCarryKeyColumnsOnly) {
  buffer::TableBuffer buffer = users_buffer();
  add(buffer, remove(5));
  add(buffer, truncate_users());
  add(buffer, remove(6));
  Result<TableBatch> batch = export_table(buffer);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_TRUE(batch->truncate);
  EXPECT_EQ(batch->upserts, nullptr);
  ASSERT_NE(batch->deletes, nullptr);
  EXPECT_EQ(child_names(*batch->deletes), std::vector<std::string>{"id"});
  OwnedArray rows;
  arrow::export_batch(batch->deletes->batches[0], &rows.array);
  ASSERT_EQ(rows.array.length, 1);
  EXPECT_EQ(value_at<std::int64_t>(*rows.array.children[0], 0), 6);
}

TEST(TableExportTest, KeylessDeletesCarryFullBeforeImages) {
  buffer::TableBuffer buffer("dbserver1.public.log", "public", "log");
  add(buffer, make_event({.kind = EventKind::kDelete,
                          .schema = log_schema(),
                          .row = {int_cell(1), text("x")},
                          .topic = "dbserver1.public.log"}));
  Result<TableBatch> batch = export_table(buffer);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_TRUE(batch->key_columns.empty());
  EXPECT_EQ(child_names(*batch->deletes), (std::vector<std::string>{"at", "msg"}));
}

TEST(TableExportTest, TruncateWithoutSchemaExportsOnlyTheFlag) {
  buffer::TableBuffer buffer = users_buffer();
  add(buffer, make_event({.kind = EventKind::kTruncate}));
  Result<TableBatch> batch = export_table(buffer);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_TRUE(batch->truncate);
  EXPECT_TRUE(batch->columns.empty());
  EXPECT_EQ(batch->counts.truncates, 1);
}

// numeric without precision: DECIMAL(38,18) while every value of the batch fits, VARCHAR (exact text) once
// one does not, for the column and for an array of it; the text travels unchanged either way.
TEST(TableExportTest, ExactDecimalTextDeclaresDecimalWhenEveryValueFitsElseVarchar) {
  decode::FieldSpec number = field("n", type_of(types::Kind::kVarchar));
  number.decimal_fit = decode::DecimalFit{.precision = 38, .scale = 18};
  decode::FieldSpec numbers = field("a", list_of(type_of(types::Kind::kVarchar)));
  numbers.element = std::make_shared<const decode::FieldSpec>(number);
  auto schema = make_schema({field("id", type_of(types::Kind::kInt64)), number, numbers}, {0});
  auto batch_of = [&](std::vector<std::pair<types::Cell, types::Cell>> values) {
    buffer::TableBuffer buffer = users_buffer();
    std::int64_t id = 0;
    for (auto& [n, a] : values) {
      ++id;
      EXPECT_TRUE(buffer
                      .add(make_event({.schema = schema,
                                       .key = {int_cell(id)},
                                       .row = {int_cell(id), std::move(n), std::move(a)}}))
                      .is_ok());
    }
    Result<TableBatch> batch = export_table(buffer);
    EXPECT_TRUE(batch.is_ok());
    return std::make_pair(batch->columns[1].duck_type, batch->columns[2].duck_type);
  };
  EXPECT_EQ(batch_of({{text("3.14159"), list({text("1.50"), null_cell()})}, {null_cell(), null_cell()}}),
            std::make_pair(std::string("DECIMAL(38,18)"), std::string("DECIMAL(38,18)[]")));
  EXPECT_EQ(batch_of({{text("1"), list({})}, {text("0.0000000000000000001"), list({text("NaN")})}}),
            std::make_pair(std::string("VARCHAR"), std::string("VARCHAR[]")));
  EXPECT_EQ(batch_of({{text("NaN"), list({text("1")})}}),
            std::make_pair(std::string("VARCHAR"), std::string("DECIMAL(38,18)[]")));
}

// numeric(p,s) sent as text (decimal.handling.mode=string): a batch whose values all fit exports them as
// decimal128 (parsed exactly in the core); NaN makes the batch's column VARCHAR text.
TEST(TableExportTest, FixedScaleDecimalTextIsExportedAsDecimal128WhenItFits) {
  decode::FieldSpec price = field("p", type_of(types::Kind::kVarchar));
  price.decimal_fit = decode::DecimalFit{.precision = 10, .scale = 2, .fixed_scale = true};
  auto schema = make_schema({field("id", type_of(types::Kind::kInt64)), price}, {0});
  auto batch_of = [&](std::vector<types::Cell> values) {
    buffer::TableBuffer buffer = users_buffer();
    std::int64_t id = 0;
    for (types::Cell& value : values) {
      ++id;
      EXPECT_TRUE(buffer
                      .add(make_event(
                          {.schema = schema, .key = {int_cell(id)}, .row = {int_cell(id), std::move(value)}}))
                      .is_ok());
    }
    Result<TableBatch> batch = export_table(buffer);
    EXPECT_TRUE(batch.is_ok());
    return std::move(batch).value();
  };
  TableBatch fits = batch_of({text("1.50"), text("-99999999.99"), null_cell()});
  EXPECT_EQ(fits.columns[1].duck_type, "DECIMAL(10,2)");
  ASSERT_EQ(fits.upserts->schema.children[1].format, "d:10,2");
  OwnedArray rows;
  arrow::export_batch(fits.upserts->batches[0], &rows.array);
  const auto* values = static_cast<const types::Int128*>(rows.array.children[1]->buffers[1]);
  EXPECT_TRUE(values[0] == 150);
  EXPECT_TRUE(values[1] == -9999999999);
  TableBatch nan = batch_of({text("1.50"), text("NaN")});
  EXPECT_EQ(nan.columns[1].duck_type, "VARCHAR");
  EXPECT_EQ(nan.upserts->schema.children[1].format, "u");
}

}  // namespace
}  // namespace cdc::pipeline
