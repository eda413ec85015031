// One test (or a few) per rule written at the top of table_buffer.hpp.
#include "cdc/buffer/table_buffer.hpp"

#include <gtest/gtest.h>

#include "contains.hpp"
#include "support/events.hpp"

namespace cdc::buffer {
namespace {

using decode::EventKind;
using namespace cdc::test;  // NOLINT(google-build-using-namespace)

TableBuffer users_buffer() { return TableBuffer("dbserver1.public.users", "public", "users"); }
TableBuffer log_buffer() { return TableBuffer("dbserver1.public.log", "public", "log"); }

AddOutcome add_ok(TableBuffer& buffer, decode::ChangeEvent event) {
  Result<AddOutcome> outcome = buffer.add(std::move(event));
  EXPECT_TRUE(outcome.is_ok()) << outcome.status().to_string();
  return outcome.is_ok() ? *outcome : AddOutcome::kAdded;
}

std::vector<types::Row> copy(const std::vector<const types::Row*>& rows) {
  std::vector<types::Row> out;
  for (const types::Row* row : rows) out.push_back(*row);
  return out;
}

// Rule 1 -------------------------------------------------------------------------------------------------

TEST(TableBufferTest, LastWriteWinsPerKey) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), text("x")));
  add_ok(buffer, upsert(1, text("b"), text("y"), EventKind::kUpdate));
  add_ok(buffer, upsert(1, text("c"), null_cell(), EventKind::kUpdate));
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(1), text("c"), null_cell()}}));
  EXPECT_TRUE(buffer.deletes().empty());
}

TEST(TableBufferTest, DeleteAfterUpsertWins) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), text("x")));
  add_ok(buffer, remove(1));
  EXPECT_TRUE(buffer.upserts().empty());
  EXPECT_EQ(copy(buffer.deletes()), (std::vector<types::Row>{{int_cell(1)}}));  // deletes carry the key only
}

TEST(TableBufferTest, InsertAfterDeleteIsAnUpsert) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, remove(1));
  add_ok(buffer, upsert(1, text("again"), null_cell()));
  EXPECT_TRUE(buffer.deletes().empty());
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(1), text("again"), null_cell()}}));
}

TEST(TableBufferTest, KeysKeepFirstSeenOrder) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(3, text("c"), null_cell()));
  add_ok(buffer, upsert(1, text("a"), null_cell()));
  add_ok(buffer, remove(2));
  add_ok(buffer, upsert(3, text("c2"), null_cell(), EventKind::kUpdate));
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(3), text("c2"), null_cell()},
                                                             {int_cell(1), text("a"), null_cell()}}));
  EXPECT_EQ(copy(buffer.deletes()), (std::vector<types::Row>{{int_cell(2)}}));
}

TEST(TableBufferTest, KeysAreTypeTaggedAndComposite) {
  auto schema = make_schema(
      {field("a", type_of(types::Kind::kVarchar)), field("b", type_of(types::Kind::kVarchar))}, {0, 1});
  TableBuffer buffer("dbserver1.public.pairs", "public", "pairs");
  auto pair = [&](std::string a, std::string b) {
    return make_event({.schema = schema, .key = {text(a), text(b)}, .row = {text(a), text(b)}});
  };
  add_ok(buffer, pair("ab", "c"));
  add_ok(buffer, pair("a", "bc"));  // same concatenation, different key
  add_ok(buffer, pair("ab", "c"));  // same key again
  EXPECT_EQ(buffer.upserts().size(), 2U);
}

TEST(TableBufferTest, KeyIsTakenFromTheRowWhenTheEventHasNone) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, make_event({.schema = users_schema(), .row = {int_cell(7), text("a"), null_cell()}}));
  add_ok(buffer, make_event({.kind = EventKind::kDelete,
                             .schema = users_schema(),
                             .row = {int_cell(7), null_cell(), null_cell()}}));
  EXPECT_TRUE(buffer.upserts().empty());
  EXPECT_EQ(copy(buffer.deletes()), (std::vector<types::Row>{{int_cell(7)}}));
}

// Rule 2 -------------------------------------------------------------------------------------------------

TEST(TableBufferTest, TruncateDropsPendingRowsAndComesFirst) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), null_cell()));
  add_ok(buffer, remove(2));
  add_ok(buffer, truncate_users());
  EXPECT_TRUE(buffer.truncated());
  EXPECT_TRUE(buffer.upserts().empty());
  EXPECT_TRUE(buffer.deletes().empty());
  EXPECT_FALSE(buffer.empty());  // the truncate itself is pending

  add_ok(buffer, upsert(1, text("after"), null_cell()));  // applied after the truncate
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(1), text("after"), null_cell()}}));
  EXPECT_TRUE(buffer.truncated());
}

// Rule 3 -------------------------------------------------------------------------------------------------

TEST(TableBufferTest, PlaceholderTakesTheLatestRealValueOfTheKey) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), text("long bio")));
  add_ok(buffer, upsert(1, text("b"), toast(), EventKind::kUpdate));
  add_ok(buffer, upsert(1, text("c"), toast(), EventKind::kUpdate));
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(1), text("c"), text("long bio")}}));
}

TEST(TableBufferTest, PlaceholderNeverOverwritesANewerValue) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), toast(), EventKind::kUpdate));
  add_ok(buffer, upsert(1, text("b"), text("new bio"), EventKind::kUpdate));
  add_ok(buffer, upsert(1, text("c"), toast(), EventKind::kUpdate));
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(1), text("c"), text("new bio")}}));
}

TEST(TableBufferTest, PlaceholderWithoutEarlierValueStaysUnavailable) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), toast(), EventKind::kUpdate));
  add_ok(buffer, upsert(1, text("b"), toast(), EventKind::kUpdate));
  ASSERT_EQ(buffer.upserts().size(), 1U);
  EXPECT_TRUE((*buffer.upserts()[0])[2].is_unavailable());
}

TEST(TableBufferTest, PlaceholderDoesNotReachBackPastADelete) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), text("old bio")));
  add_ok(buffer, remove(1));
  add_ok(buffer, upsert(1, text("b"), toast(), EventKind::kUpdate));
  ASSERT_EQ(buffer.upserts().size(), 1U);
  EXPECT_TRUE((*buffer.upserts()[0])[2].is_unavailable());
}

// Rule 4 -------------------------------------------------------------------------------------------------

TEST(TableBufferTest, SchemaChangeIsAFlushBoundaryWhilePending) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), null_cell()));
  decode::ChangeEvent changed = make_event({.schema = users_schema(/*fingerprint=*/2),
                                            .key = {int_cell(2)},
                                            .row = {int_cell(2), text("b"), null_cell()},
                                            .schema_changed = true});
  EXPECT_EQ(add_ok(buffer, changed), AddOutcome::kFlushFirst);
  EXPECT_EQ(buffer.upserts().size(), 1U);  // unchanged
  EXPECT_EQ(buffer.counts().creates, 1);

  TableBuffer next = users_buffer();  // the next batch takes it
  EXPECT_EQ(add_ok(next, changed), AddOutcome::kAdded);
  EXPECT_EQ(next.schema()->fingerprint, 2U);
}

TEST(TableBufferTest, DifferentFingerprintIsABoundaryEvenWithoutTheFlag) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, upsert(1, text("a"), null_cell()));
  EXPECT_EQ(add_ok(buffer, make_event({.schema = users_schema(9),
                                       .key = {int_cell(2)},
                                       .row = {int_cell(2), text("b"), null_cell()}})),
            AddOutcome::kFlushFirst);
}

TEST(TableBufferTest, SchemaChangeOnAnEmptyBufferIsAdopted) {
  TableBuffer buffer = users_buffer();
  EXPECT_EQ(add_ok(buffer, make_event({.schema = users_schema(5),
                                       .key = {int_cell(1)},
                                       .row = {int_cell(1), text("a"), null_cell()},
                                       .schema_changed = true})),
            AddOutcome::kAdded);
  EXPECT_EQ(buffer.schema()->fingerprint, 5U);
}

TEST(TableBufferTest, PendingTruncateAlsoEndsTheBatchBeforeASchemaChange) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, truncate_users());
  EXPECT_EQ(add_ok(buffer, make_event({.schema = users_schema(2),
                                       .key = {int_cell(1)},
                                       .row = {int_cell(1), text("a"), null_cell()},
                                       .schema_changed = true})),
            AddOutcome::kFlushFirst);
}

// Rule 5 -------------------------------------------------------------------------------------------------

decode::ChangeEvent log_insert(std::int64_t at, std::string msg) {
  return make_event(
      {.schema = log_schema(), .row = {int_cell(at), text(std::move(msg))}, .topic = "dbserver1.public.log"});
}
decode::ChangeEvent log_delete(std::int64_t at, std::string msg) {
  return make_event({.kind = EventKind::kDelete,
                     .schema = log_schema(),
                     .row = {int_cell(at), text(std::move(msg))},
                     .topic = "dbserver1.public.log"});
}
decode::ChangeEvent log_update(types::Row before, types::Row after) {
  return make_event({.kind = EventKind::kUpdate,
                     .schema = log_schema(),
                     .row = std::move(after),
                     .before = std::move(before),
                     .topic = "dbserver1.public.log"});
}

TEST(TableBufferTest, KeylessInsertsAppendEvenWhenEqual) {
  TableBuffer buffer = log_buffer();
  add_ok(buffer, log_insert(1, "x"));
  add_ok(buffer, log_insert(1, "x"));
  EXPECT_EQ(buffer.upserts().size(), 2U);
  EXPECT_FALSE(buffer.keyed());
}

TEST(TableBufferTest, KeylessDeletesCarryBeforeImages) {
  TableBuffer buffer = log_buffer();
  add_ok(buffer, log_delete(1, "x"));
  add_ok(buffer, log_delete(1, "x"));
  EXPECT_EQ(copy(buffer.deletes()),
            (std::vector<types::Row>{{int_cell(1), text("x")}, {int_cell(1), text("x")}}));
  add_ok(buffer, log_insert(2, "y"));  // appends after deletes are fine: deletes are applied first
  EXPECT_EQ(buffer.upserts().size(), 1U);
}

TEST(TableBufferTest, KeylessDeleteAfterPendingAppendsIsABoundary) {
  TableBuffer buffer = log_buffer();
  add_ok(buffer, log_insert(1, "x"));
  EXPECT_EQ(add_ok(buffer, log_delete(1, "x")), AddOutcome::kFlushFirst);
  EXPECT_TRUE(buffer.deletes().empty());
}

TEST(TableBufferTest, KeylessUpdateIsDeleteOfBeforePlusAppendOfAfter) {
  TableBuffer buffer = log_buffer();
  add_ok(buffer, log_update({int_cell(1), text("x")}, {int_cell(1), text("y")}));
  EXPECT_EQ(copy(buffer.deletes()), (std::vector<types::Row>{{int_cell(1), text("x")}}));
  EXPECT_EQ(copy(buffer.upserts()), (std::vector<types::Row>{{int_cell(1), text("y")}}));
  // A second update would delete before the first one's append is applied: a boundary.
  EXPECT_EQ(add_ok(buffer, log_update({int_cell(1), text("y")}, {int_cell(1), text("z")})),
            AddOutcome::kFlushFirst);
}

TEST(TableBufferTest, KeylessUpdateWithoutBeforeImageNamesTheFix) {
  TableBuffer buffer = log_buffer();
  Result<AddOutcome> outcome = buffer.add(log_update({}, {int_cell(1), text("y")}));
  ASSERT_FALSE(outcome.is_ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kDecodeError);
  EXPECT_TRUE(contains(outcome.status().message(), "public.log"));
  EXPECT_TRUE(contains(outcome.status().message(), "REPLICA IDENTITY FULL"));
  EXPECT_TRUE(buffer.empty());
}

TEST(TableBufferTest, KeylessDeleteWithPlaceholderInBeforeImageIsAnError) {
  TableBuffer buffer = log_buffer();
  Result<AddOutcome> outcome = buffer.add(make_event({.kind = EventKind::kDelete,
                                                      .schema = log_schema(),
                                                      .row = {int_cell(1), toast()},
                                                      .topic = "dbserver1.public.log"}));
  ASSERT_FALSE(outcome.is_ok());
  EXPECT_TRUE(contains(outcome.status().message(), "REPLICA IDENTITY FULL"));
}

// Bookkeeping and shape checks ---------------------------------------------------------------------------

TEST(TableBufferTest, CountsOpsAndKeepsLastLsnAndSourceTime) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, make_event({.kind = EventKind::kRead,
                             .schema = users_schema(),
                             .key = {int_cell(1)},
                             .row = {int_cell(1), text("a"), null_cell()},
                             .ts_ms = 10}));
  add_ok(buffer, make_event({.schema = users_schema(),
                             .key = {int_cell(2)},
                             .row = {int_cell(2), text("b"), null_cell()},
                             .lsn = 100,
                             .ts_ms = 20}));
  add_ok(buffer, make_event({.kind = EventKind::kUpdate,
                             .schema = users_schema(),
                             .key = {int_cell(2)},
                             .row = {int_cell(2), text("c"), null_cell()},
                             .lsn = 200,
                             .ts_ms = 30}));
  add_ok(
      buffer,
      make_event({.kind = EventKind::kDelete, .schema = users_schema(), .key = {int_cell(1)}, .ts_ms = 40}));
  add_ok(buffer, truncate_users());
  EXPECT_EQ(buffer.counts().reads, 1);
  EXPECT_EQ(buffer.counts().creates, 1);
  EXPECT_EQ(buffer.counts().updates, 1);
  EXPECT_EQ(buffer.counts().deletes, 1);
  EXPECT_EQ(buffer.counts().truncates, 1);
  EXPECT_EQ(buffer.last_lsn(), 200);         // events without an LSN keep the last one seen
  EXPECT_EQ(buffer.last_source_ts_ms(), 0);  // the truncate's
}

TEST(TableBufferTest, TombstonesAndSkipsChangeNothing) {
  TableBuffer buffer = users_buffer();
  add_ok(buffer, make_event({.kind = EventKind::kTombstone}));
  add_ok(buffer, make_event({.kind = EventKind::kSkip}));
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.counts().creates + buffer.counts().deletes, 0);
}

TEST(TableBufferTest, RowNotMatchingTheSchemaIsAnError) {
  TableBuffer buffer = users_buffer();
  Result<AddOutcome> outcome =
      buffer.add(make_event({.schema = users_schema(), .key = {int_cell(1)}, .row = {int_cell(1)}}));
  ASSERT_FALSE(outcome.is_ok());
  EXPECT_TRUE(contains(outcome.status().message(), "public.users"));
}

TEST(TableBufferTest, ConstAddCopiesAndRvalueAddMoves) {
  TableBuffer buffer = users_buffer();
  const decode::ChangeEvent kept = upsert(1, text("a"), null_cell());
  add_ok(buffer, kept);
  EXPECT_EQ(kept.row.size(), 3U);

  decode::ChangeEvent moved = upsert(2, text("long enough to live on the heap"), null_cell());
  ASSERT_TRUE(buffer.add(std::move(moved)).is_ok());
  EXPECT_EQ(buffer.upserts().size(), 2U);
}

TEST(TableBufferTest, RefusedEventIsLeftIntact) {
  TableBuffer buffer = log_buffer();
  add_ok(buffer, log_insert(1, "x"));
  decode::ChangeEvent removal = log_delete(1, "a long message that lives on the heap");
  ASSERT_EQ(*buffer.add(std::move(removal)), AddOutcome::kFlushFirst);
  EXPECT_EQ(removal.row.size(), 2U);  // NOLINT(bugprone-use-after-move): a refused event is not moved from
  EXPECT_EQ(removal.row[1], text("a long message that lives on the heap"));
}

// Rule 6 -------------------------------------------------------------------------------------------------

decode::ChangeEvent snapshot_read(std::int64_t id, decode::SnapshotMarker marker) {
  decode::ChangeEvent event = upsert(id, text("s"), null_cell(), EventKind::kRead);
  event.snapshot = marker;
  return event;
}

TEST(TableBufferTest, FirstSnapshotRecordTruncatesTheTableBeforeIt) {
  for (decode::SnapshotMarker marker :
       {decode::SnapshotMarker::kFirst, decode::SnapshotMarker::kFirstInDataCollection}) {
    TableBuffer buffer = users_buffer();
    add_ok(buffer, upsert(1, text("a"), null_cell()));
    add_ok(buffer, snapshot_read(2, marker));
    add_ok(buffer, snapshot_read(3, decode::SnapshotMarker::kTrue));
    EXPECT_TRUE(buffer.truncated());
    EXPECT_TRUE(buffer.snapshot_started());
    EXPECT_EQ(copy(buffer.upserts()).size(), 2U);  // row 1 went with the truncate
    EXPECT_EQ(buffer.counts().truncates, 0);       // not a source TRUNCATE
  }
}

TEST(TableBufferTest, OtherSnapshotRecordsAndIncrementalReadsDoNotTruncate) {
  for (decode::SnapshotMarker marker :
       {decode::SnapshotMarker::kTrue, decode::SnapshotMarker::kLast,
        decode::SnapshotMarker::kLastInDataCollection, decode::SnapshotMarker::kIncremental}) {
    TableBuffer buffer = users_buffer();
    add_ok(buffer, upsert(1, text("a"), null_cell()));
    add_ok(buffer, snapshot_read(2, marker));
    EXPECT_FALSE(buffer.truncated());
    EXPECT_FALSE(buffer.snapshot_started());
    EXPECT_EQ(copy(buffer.upserts()).size(), 2U);
  }
}

}  // namespace
}  // namespace cdc::buffer
