#include "cdc/pipeline/batch_assembler.hpp"

#include <gtest/gtest.h>

#include "contains.hpp"
#include "support/events.hpp"

namespace cdc::pipeline {
namespace {

using buffer::AddOutcome;
using decode::EventKind;
using namespace cdc::test;  // NOLINT(google-build-using-namespace)

decode::ChangeEvent at(decode::ChangeEvent event, std::int64_t offset, std::int32_t partition = 0) {
  event.offset = offset;
  event.partition = partition;
  return event;
}

AddOutcome add_ok(BatchAssembler& assembler, decode::ChangeEvent&& event) {
  auto outcome = assembler.add(std::move(event));
  EXPECT_TRUE(std::holds_alternative<AddOutcome>(outcome)) << std::get<Rejection>(outcome).error.to_string();
  return std::holds_alternative<AddOutcome>(outcome) ? std::get<AddOutcome>(outcome) : AddOutcome::kAdded;
}

TEST(BatchAssemblerTest, OffsetsCoverEveryRecordIncludingTombstonesAndSkips) {
  BatchAssembler assembler;
  add_ok(assembler, at(upsert(1, text("a"), null_cell()), 10));
  add_ok(assembler, at(remove(1), 11));
  add_ok(assembler, at(make_event({.kind = EventKind::kTombstone}), 12));
  add_ok(assembler, at(make_event({.kind = EventKind::kSkip, .topic = "dbserver1.public.other"}), 3, 1));
  assembler.count_dead_letter(
      BadRecord{.topic = "dbserver1.public.users", .partition = 2, .offset = 7, .reason = "not JSON"}, 50);
  EXPECT_EQ(assembler.events(), 5);
  EXPECT_EQ(assembler.bytes(), 450);

  Result<Batch> batch = assembler.finish();
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(batch->offsets, (std::vector<kafka::TopicPartitionOffset>{{"dbserver1.public.other", 1, 4},
                                                                      {"dbserver1.public.users", 0, 13},
                                                                      {"dbserver1.public.users", 2, 8}}));
  EXPECT_EQ(batch->events, 5);
  ASSERT_EQ(batch->dead_letters.size(), 1U);
  EXPECT_EQ(batch->dead_letters[0].offset, 7);
  EXPECT_EQ(batch->dead_letters[0].reason, "not JSON");
  ASSERT_EQ(batch->tables.size(), 1U);  // a skip-only topic has nothing to apply
  EXPECT_EQ(batch->tables[0].counts.creates, 1);
  EXPECT_EQ(batch->tables[0].counts.deletes, 1);
}

TEST(BatchAssemblerTest, TablesComeInFirstSeenOrder) {
  BatchAssembler assembler;
  decode::ChangeEvent log =
      make_event({.schema = log_schema(), .row = {int_cell(1), text("x")}, .topic = "dbserver1.public.log"});
  add_ok(assembler, std::move(log));
  add_ok(assembler, upsert(1, text("a"), null_cell()));
  Result<Batch> batch = assembler.finish();
  ASSERT_TRUE(batch.is_ok());
  ASSERT_EQ(batch->tables.size(), 2U);
  EXPECT_EQ(batch->tables[0].source_table, "log");
  EXPECT_EQ(batch->tables[1].source_table, "users");
}

TEST(BatchAssemblerTest, HeldBackEventIsNotCounted) {
  BatchAssembler assembler;
  add_ok(assembler, at(upsert(1, text("a"), null_cell()), 1));
  decode::ChangeEvent changed = at(make_event({.schema = users_schema(2),
                                               .key = {int_cell(2)},
                                               .row = {int_cell(2), text("b"), null_cell()},
                                               .schema_changed = true}),
                                   2);
  EXPECT_EQ(add_ok(assembler, std::move(changed)), AddOutcome::kFlushFirst);
  EXPECT_EQ(changed.row.size(), 3U);  // NOLINT(bugprone-use-after-move): refused events are left intact
  Result<Batch> batch = assembler.finish();
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(batch->offsets, (std::vector<kafka::TopicPartitionOffset>{{"dbserver1.public.users", 0, 2}}));
}

TEST(BatchAssemblerTest, ACellThatDoesNotFitIsRejectedWithItsColumn) {
  BatchAssembler assembler;
  auto outcome = assembler.add(upsert(1, int_cell(5), null_cell()));  // name is VARCHAR
  ASSERT_TRUE(std::holds_alternative<Rejection>(outcome));
  EXPECT_EQ(std::get<Rejection>(outcome).column, "name");
  EXPECT_TRUE(contains(std::get<Rejection>(outcome).error.message(), "VARCHAR"));
  EXPECT_EQ(assembler.events(), 0);
}

TEST(BatchAssemblerTest, BufferErrorsAreRejections) {
  BatchAssembler assembler;
  auto outcome = assembler.add(make_event({.kind = EventKind::kUpdate,
                                           .schema = log_schema(),
                                           .row = {int_cell(1), text("x")},
                                           .topic = "dbserver1.public.log"}));
  ASSERT_TRUE(std::holds_alternative<Rejection>(outcome));
  EXPECT_TRUE(contains(std::get<Rejection>(outcome).error.message(), "REPLICA IDENTITY FULL"));
}

TEST(BatchAssemblerTest, FinishLeavesItEmpty) {
  BatchAssembler assembler;
  add_ok(assembler, upsert(1, text("a"), null_cell()));
  ASSERT_TRUE(assembler.finish().is_ok());
  Result<Batch> next = assembler.finish();
  ASSERT_TRUE(next.is_ok());
  EXPECT_TRUE(next->tables.empty());
  EXPECT_TRUE(next->offsets.empty());
  EXPECT_EQ(next->events, 0);
}

}  // namespace
}  // namespace cdc::pipeline
