// The exactly-once rule of position_filter.hpp, alone and inside the Batcher (redelivered copies across and
// within batches, interleaved transactions, snapshot reads, the position handed over from DuckDB).
#include "cdc/pipeline/position_filter.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "cdc/pipeline/batcher.hpp"
#include "support/events.hpp"

namespace cdc::pipeline {
namespace {

using decode::EventKind;
using decode::SnapshotMarker;
using decode::SourcePosition;
using namespace cdc::test;  // NOLINT(google-build-using-namespace)

// A keyless log(at, msg) event at (commit_lsn, lsn); `at` doubles as the Kafka offset.
decode::ChangeEvent log_event(std::int64_t at, std::optional<std::int64_t> commit_lsn, std::int64_t lsn,
                              EventKind kind = EventKind::kCreate,
                              SnapshotMarker snapshot = SnapshotMarker::kFalse) {
  decode::ChangeEvent event = make_event({.kind = kind,
                                          .schema = log_schema(),
                                          .row = {int_cell(at), text("m")},
                                          .offset = at,
                                          .topic = "dbserver1.public.log",
                                          .lsn = lsn});
  event.commit_lsn = commit_lsn;
  event.snapshot = snapshot;
  event.tx_id = lsn / 100;
  return event;
}

TEST(PositionFilter, DropsAtOrBelowTheMarkAndOnlyStreamingEvents) {
  PositionFilter filter;
  filter.reset({{"public.log", SourcePosition{200, 250}}});
  EXPECT_TRUE(filter.is_duplicate(log_event(1, 200, 250)));   // equal: the same event again
  EXPECT_TRUE(filter.is_duplicate(log_event(1, 200, 240)));   // earlier in the same transaction
  EXPECT_TRUE(filter.is_duplicate(log_event(1, 100, 900)));   // an earlier transaction, higher LSN
  EXPECT_FALSE(filter.is_duplicate(log_event(1, 200, 260)));  // later in the same transaction
  EXPECT_FALSE(filter.is_duplicate(log_event(1, 300, 120)));  // a later-committed transaction, lower LSN
  EXPECT_TRUE(filter.is_duplicate(log_event(1, 200, 250, EventKind::kTruncate)));
  EXPECT_FALSE(filter.is_duplicate(log_event(1, 200, 250, EventKind::kRead, SnapshotMarker::kTrue)));
  EXPECT_FALSE(filter.is_duplicate(log_event(1, std::nullopt, 0, EventKind::kRead, SnapshotMarker::kLast)));
  decode::ChangeEvent other = log_event(1, 100, 100);
  other.source_table = "users";  // marks are per table
  EXPECT_FALSE(filter.is_duplicate(other));
}

TEST(PositionFilter, RaiseForgetAndTopics) {
  PositionFilter filter;
  filter.raise("public.log", "dbserver1.public.log", SourcePosition{10, 20});
  filter.raise("public.log", "dbserver1.public.log", SourcePosition{5, 50});  // never lowers
  EXPECT_EQ(filter.mark("public.log"), (SourcePosition{10, 20}));
  filter.forget_topics({"dbserver1.public.other"});
  EXPECT_TRUE(filter.mark("public.log").has_value());
  filter.forget_topics({"dbserver1.public.log"});
  EXPECT_FALSE(filter.mark("public.log").has_value());
  filter.raise("public.log", "dbserver1.public.log", SourcePosition{1, 2});
  filter.forget_table("public.log");
  EXPECT_FALSE(filter.mark("public.log").has_value());
}

// Records carry an index into `events`; the decoder hands out that event.
class EventRecords final : public RecordSource {
 public:
  std::deque<std::vector<kafka::Message>> script;
  Result<std::vector<kafka::Message>> poll(std::size_t /*max_records*/, int /*timeout_ms*/) override {
    if (script.empty()) return std::vector<kafka::Message>{};
    std::vector<kafka::Message> next = std::move(script.front());
    script.pop_front();
    return next;
  }
};

struct Harness {
  std::vector<decode::ChangeEvent> events;
  EventRecords records;
  Batcher batcher{[this](const kafka::Message& record) -> Result<decode::ChangeEvent> {
                    return events.at(static_cast<std::size_t>(record.offset));
                  },
                  ErrorPolicy::kStop, nullptr};

  // Queues the events as one poll; each record's offset is its index in `events`.
  void deliver(std::vector<decode::ChangeEvent> batch) {
    std::vector<kafka::Message> poll;
    for (decode::ChangeEvent& event : batch) {
      kafka::Message message;
      message.topic = event.topic;
      message.offset = static_cast<std::int64_t>(events.size());
      message.value = "v";
      event.offset = message.offset;
      events.push_back(std::move(event));
      poll.push_back(std::move(message));
    }
    records.script.push_back(std::move(poll));
  }

  Batch next() {
    Result<Batch> batch = batcher.next_batch(records, BatchLimits{.max_wait_ms = 50, .quiet_poll_ms = 1});
    EXPECT_TRUE(batch.is_ok()) << batch.status().to_string();
    return batch.is_ok() ? std::move(batch).value() : Batch{};
  }
};

std::int64_t appended(const Batch& batch) {
  return batch.tables.empty() || !batch.tables[0].upserts ? 0 : batch.tables[0].upserts->num_rows();
}

TEST(PositionFilterInBatcher, RedeliveredCopiesAcrossAndWithinBatchesAreDroppedAndCounted) {
  Harness h;
  // Interleaved transactions as Debezium 3.7 sent them: T2 committed first (sequence[0] null after the
  // snapshot), then T1 whose first event has a lower LSN than T2's.
  h.deliver({log_event(0, std::nullopt, 376), log_event(0, 624, 304), log_event(0, 624, 624)});
  Batch first = h.next();
  EXPECT_EQ(appended(first), 3);
  ASSERT_EQ(first.tables.size(), 1U);
  EXPECT_EQ(first.tables[0].last_commit_lsn, 624);
  EXPECT_EQ(first.tables[0].last_event_lsn, 624);
  EXPECT_EQ(first.tables[0].last_tx_id, 6);
  EXPECT_TRUE(first.dropped.empty());

  // After a Connect crash: T1 again (same sequences), then a new transaction, twice within one batch.
  h.deliver({log_event(0, 624, 304), log_event(0, 624, 624), log_event(0, 700, 710), log_event(0, 700, 710)});
  Batch second = h.next();
  EXPECT_EQ(appended(second), 1);
  ASSERT_EQ(second.dropped.size(), 1U);
  EXPECT_EQ(second.dropped[0].table, "public.log");
  EXPECT_EQ(second.dropped[0].duplicates, 3);
  EXPECT_EQ(second.tables[0].counts.duplicates, 3);
  EXPECT_EQ(second.events, 4);  // dropped records are consumed: their offsets are stored
  EXPECT_EQ(second.offsets.at(0).offset, 7);
}

TEST(PositionFilterInBatcher, StartsFromTheAppliedPositionAndSnapshotReadsAlwaysPass) {
  Harness h;
  h.batcher.reset({{"public.log", SourcePosition{700, 710}}});
  h.deliver({log_event(0, 624, 624), log_event(0, 800, 0, EventKind::kRead, SnapshotMarker::kTrue),
             log_event(0, 700, 711)});
  Batch batch = h.next();
  EXPECT_EQ(appended(batch), 2);
  ASSERT_EQ(batch.dropped.size(), 1U);
  EXPECT_EQ(batch.dropped[0].duplicates, 1);
}

TEST(PositionFilterInBatcher, ASnapshotStartForgetsTheMark) {
  Harness h;
  h.batcher.reset({{"public.log", SourcePosition{700, 710}}});
  h.deliver({log_event(0, std::nullopt, 5, EventKind::kRead, SnapshotMarker::kFirstInDataCollection),
             log_event(0, std::nullopt, 20)});  // a new connector's first transaction: sequence[0] null
  Batch batch = h.next();
  EXPECT_EQ(appended(batch), 2);
  EXPECT_TRUE(batch.dropped.empty());
  ASSERT_EQ(batch.tables.size(), 1U);
  EXPECT_TRUE(batch.tables[0].truncate);
  EXPECT_TRUE(batch.tables[0].snapshot_started);
  EXPECT_EQ(batch.tables[0].last_event_lsn, 20);
}

TEST(PositionFilterInBatcher, KeylessChangeWithoutBeforeImageIsDroppedNotMisapplied) {
  Harness h;
  decode::ChangeEvent update = log_event(0, 10, 10, EventKind::kUpdate);  // no `before`
  decode::ChangeEvent remove = log_event(0, 10, 11, EventKind::kDelete);
  remove.row.clear();
  h.deliver({log_event(0, 5, 5), std::move(update), std::move(remove), log_event(0, 20, 20)});
  Batch batch = h.next();
  EXPECT_FALSE(batch.error.has_value());
  EXPECT_EQ(appended(batch), 2);
  ASSERT_EQ(batch.dropped.size(), 1U);
  EXPECT_EQ(batch.dropped[0].unapplied, 2);
  EXPECT_EQ(batch.dropped[0].duplicates, 0);
}

}  // namespace
}  // namespace cdc::pipeline
