// Recorded Debezium envelopes through the real decoder, the buffers and the Arrow export (no Kafka).
#include "cdc/pipeline/replay.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "contains.hpp"

namespace cdc::pipeline {
namespace {

std::string envelope(const std::string& name) {
  std::ifstream file(std::string(CDC_ENVELOPE_DIR) + "/" + name + ".json", std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

kafka::Message record(const std::string& value_file, std::int64_t offset) {
  kafka::Message message;
  message.topic = "dbserver1.public.all_types";
  message.offset = offset;
  message.key = envelope("all_types_key");
  if (!value_file.empty()) message.value = envelope(value_file);
  return message;
}

std::vector<std::string> names(const arrow::Table& table) {
  std::vector<std::string> out;
  for (const arrow::Field& field : table.schema.children) out.push_back(field.name);
  return out;
}

TEST(ReplayTest, PlaceholdersWithoutEarlierValuesAreMasked) {
  Result<std::vector<Batch>> batches = batches_from_records({record("all_types_update_toast", 0)}, 1000);
  ASSERT_TRUE(batches.is_ok()) << batches.status().to_string();
  ASSERT_EQ(batches->size(), 1U);
  const Batch& batch = (*batches)[0];
  ASSERT_FALSE(batch.error) << batch.error->describe();
  ASSERT_EQ(batch.tables.size(), 1U);
  const TableBatch& table = batch.tables[0];
  EXPECT_EQ(table.source_table, "all_types");
  EXPECT_EQ(table.key_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(table.unavailable, (std::vector<std::string>{"c_text", "c_jsonb", "c_bytea", "c_int_arr",
                                                         "c_text_arr", "c_hstore", "c_xml"}));
  ASSERT_NE(table.upserts, nullptr);
  EXPECT_EQ(table.upserts->schema.children.size(), table.columns.size() + 7);
  EXPECT_EQ(names(*table.upserts).back(), "__cdc_unavailable_32");  // c_xml is column 32
  EXPECT_EQ(table.counts.updates, 1);
}

TEST(ReplayTest, PlaceholdersTakeTheValuesOfAnEarlierCreate) {
  Result<std::vector<Batch>> batches =
      batches_from_records({record("all_types_create", 0), record("all_types_update_toast", 1)}, 1000);
  ASSERT_TRUE(batches.is_ok());
  ASSERT_EQ(batches->size(), 1U);
  const TableBatch& table = (*batches)[0].tables.at(0);
  EXPECT_TRUE(table.unavailable.empty());
  EXPECT_EQ(table.upserts->num_rows(), 1);
  EXPECT_EQ((*batches)[0].offsets,
            (std::vector<kafka::TopicPartitionOffset>{{"dbserver1.public.all_types", 0, 2}}));
}

TEST(ReplayTest, DeleteAndTombstoneLeaveOneKeyToDelete) {
  Result<std::vector<Batch>> batches = batches_from_records(
      {record("all_types_create", 0), record("all_types_delete", 1), record("", 2)}, 1000);
  ASSERT_TRUE(batches.is_ok());
  ASSERT_EQ(batches->size(), 1U);
  const Batch& batch = (*batches)[0];
  EXPECT_EQ(batch.events, 3);
  EXPECT_EQ(batch.offsets.at(0).offset, 3);
  const TableBatch& table = batch.tables.at(0);
  EXPECT_EQ(table.upserts, nullptr);
  ASSERT_NE(table.deletes, nullptr);
  EXPECT_EQ(names(*table.deletes), std::vector<std::string>{"id"});
  EXPECT_EQ(table.counts.creates, 1);
  EXPECT_EQ(table.counts.deletes, 1);
}

TEST(ReplayTest, ABadRecordEndsTheReplayWithItsError) {
  kafka::Message bad = record("all_types_create", 1);
  bad.value = "{not json";
  Result<std::vector<Batch>> batches = batches_from_records({record("all_types_create", 0), bad}, 1000);
  ASSERT_TRUE(batches.is_ok());
  ASSERT_EQ(batches->size(), 1U);
  const Batch& batch = (*batches)[0];
  EXPECT_EQ(batch.events, 1);
  ASSERT_TRUE(batch.error);
  EXPECT_EQ(batch.error->offset, 1);
}

TEST(ReplayTest, MaxEventsSplitsBatches) {
  Result<std::vector<Batch>> batches = batches_from_records(
      {record("all_types_create", 0), record("all_types_update_toast", 1), record("all_types_delete", 2)}, 2);
  ASSERT_TRUE(batches.is_ok());
  ASSERT_EQ(batches->size(), 2U);
  EXPECT_EQ((*batches)[0].events, 2);
  EXPECT_EQ((*batches)[1].events, 1);
}

}  // namespace
}  // namespace cdc::pipeline
