// Which streaming transactions a table loaded straight from PostgreSQL already holds (loaded_snapshot.hpp),
// alone and as the PositionFilter applies it.
#include "cdc/pipeline/loaded_snapshot.hpp"

#include <gtest/gtest.h>

#include "cdc/pipeline/position_filter.hpp"
#include "support/events.hpp"

namespace cdc::pipeline {
namespace {

using namespace cdc::test;  // NOLINT(google-build-using-namespace)

LoadedSnapshot parsed(std::string_view text) {
  Result<LoadedSnapshot> snapshot = LoadedSnapshot::parse(text);
  EXPECT_TRUE(snapshot.is_ok()) << snapshot.status().message();
  return snapshot.is_ok() ? std::move(snapshot).value() : LoadedSnapshot{};
}

TEST(LoadedSnapshot, SeesCommittedBeforeAndNotRunningOrLater) {
  const LoadedSnapshot snapshot = parsed("100:110:103,107");
  EXPECT_TRUE(snapshot.saw(5));     // long before xmin
  EXPECT_TRUE(snapshot.saw(99));    // before xmin
  EXPECT_TRUE(snapshot.saw(100));   // xmin itself finished before the snapshot unless listed as running
  EXPECT_TRUE(snapshot.saw(104));   // between, not running
  EXPECT_FALSE(snapshot.saw(103));  // running when the snapshot was taken: it commits after
  EXPECT_FALSE(snapshot.saw(107));
  EXPECT_FALSE(snapshot.saw(110));   // xmax: started after
  EXPECT_FALSE(snapshot.saw(5000));  // much later
}

TEST(LoadedSnapshot, ParsesWhatPostgresPrintsAndRefusesTheRest) {
  EXPECT_TRUE(parsed("742:742:").running.empty());
  EXPECT_EQ(parsed("10:20:12").running, (std::vector<std::uint64_t>{12}));
  EXPECT_EQ(parsed("10:20:15,12").running, (std::vector<std::uint64_t>{12, 15}));
  for (const char* bad :
       {"", "10", "10:20", "20:10:", "10:20:25", "10:20:9", "10:20:12,", "a:20:", "10:20:x"}) {
    EXPECT_FALSE(LoadedSnapshot::parse(bad).is_ok()) << bad;
  }
}

TEST(LoadedSnapshot, WidensPgoutputsThirtyTwoBitXidsAcrossTheEpoch) {
  constexpr std::int64_t kEpoch = std::int64_t{1} << 32;
  // xmin/xmax in epoch 1 just after the wrap: 32-bit xids from before the wrap are older (seen), small ones
  // after xmax are newer (not seen)
  const LoadedSnapshot snapshot =
      parsed(std::to_string(kEpoch + 5) + ":" + std::to_string(kEpoch + 10) + ":");
  EXPECT_TRUE(snapshot.saw(0xFFFFFFF0));  // epoch 0, before the wrap
  EXPECT_TRUE(snapshot.saw(7));           // epoch 1: 2^32 + 7
  EXPECT_FALSE(snapshot.saw(12));         // after xmax
  EXPECT_TRUE(snapshot.saw(-16));         // int32 read signed: 0xFFFFFFF0
  EXPECT_TRUE(snapshot.saw(kEpoch + 6));  // a 64-bit xid as is
  EXPECT_FALSE(snapshot.saw(kEpoch + 10));
  // just before the wrap: a small 32-bit xid is the next epoch's, after xmax
  const LoadedSnapshot before = parsed("4294967000:4294967200:");
  EXPECT_FALSE(before.saw(3));
  EXPECT_TRUE(before.saw(4294966000));
}

TEST(LoadedSnapshot, ThePositionFilterDropsTheTransactionsTheLoadSaw) {
  PositionFilter filter;
  filter.reset({}, {{"public.users", parsed("100:110:103")}});
  const auto event = [](std::int64_t tx_id, std::string table = "users") {
    decode::ChangeEvent change =
        make_event({.schema = users_schema(), .row = {int_cell(1), text("a")}, .lsn = 500});
    change.source_table = std::move(table);
    change.tx_id = tx_id;
    return change;
  };
  EXPECT_TRUE(filter.is_duplicate(event(104)));   // in the load
  EXPECT_FALSE(filter.is_duplicate(event(103)));  // committed after the snapshot
  EXPECT_FALSE(filter.is_duplicate(event(111)));
  EXPECT_FALSE(filter.is_duplicate(event(104, "orders")));  // per table
  decode::ChangeEvent snapshot_read = event(104);
  snapshot_read.kind = decode::EventKind::kRead;
  snapshot_read.snapshot = decode::SnapshotMarker::kTrue;
  EXPECT_FALSE(filter.is_duplicate(snapshot_read));  // Debezium's own snapshot reads are never dropped
  filter.forget_loaded("public.users");
  EXPECT_FALSE(filter.is_duplicate(event(104)));
  filter.reset({}, {{"public.users", parsed("100:110:")}});
  filter.forget_table("public.users");  // Debezium snapshots the table again: it replaces the load
  EXPECT_FALSE(filter.is_duplicate(event(104)));
}

}  // namespace
}  // namespace cdc::pipeline
