// The rules at the top of batcher.hpp, with scripted polls, a toy decoder and a fake clock instead of Kafka,
// JSON and waiting: nothing here sleeps, so the time rules are checked exactly and cannot flake.
#include "cdc/pipeline/batcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>

#include "contains.hpp"
#include "support/events.hpp"

namespace cdc::pipeline {
namespace {

using decode::EventKind;
using namespace cdc::test;  // NOLINT(google-build-using-namespace)

using std::chrono::milliseconds;

// Time that moves only when a poll waits.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};

  BatchClock reader() {
    return [this] { return now; };
  }
};

// Each poll hands out the next scripted group (an error, or records) at once; an exhausted script is a quiet
// topic, whose poll waits its whole timeout on the fake clock.
class ScriptedRecords final : public RecordSource {
 public:
  std::deque<Result<std::vector<kafka::Message>>> script;
  FakeClock clock;
  int polls = 0;
  bool endless = false;  // when the script is exhausted, keep handing out one record per poll, 1 ms apart
  std::int64_t next_endless_offset = 1000;

  Result<std::vector<kafka::Message>> poll(std::size_t max_records, int timeout_ms) override {
    ++polls;
    if (script.empty()) {
      if (endless) {
        clock.now += milliseconds(1);
        return std::vector<kafka::Message>{record("c:1:x", next_endless_offset++)};
      }
      clock.now += milliseconds(timeout_ms);
      return std::vector<kafka::Message>{};
    }
    Result<std::vector<kafka::Message>> next = std::move(script.front());
    script.pop_front();
    if (next.is_ok() && next->size() > max_records) {  // hand out max_records, keep the rest for later
      std::vector<kafka::Message> rest(next->begin() + static_cast<std::ptrdiff_t>(max_records), next->end());
      next->resize(max_records);
      script.push_front(std::move(rest));
    }
    return next;
  }

  static kafka::Message record(std::optional<std::string> value, std::int64_t offset,
                               std::string topic = "dbserver1.public.users") {
    kafka::Message message;
    message.topic = std::move(topic);
    message.offset = offset;
    message.key = "k";
    message.value = std::move(value);
    return message;
  }
};

// Toy wire format "<op>:<id>:<name>": op c/u/d, 's' (a create that changes the schema: later events keep
// the new one), 'n' (name is not text), 'x' (undecodable). A null value is a tombstone.
class ToyDecoder {
 public:
  Result<decode::ChangeEvent> operator()(const kafka::Message& record) {
    if (!record.value) {
      return make_event({.kind = EventKind::kTombstone, .offset = record.offset, .topic = record.topic});
    }
    const std::string& value = *record.value;
    if (value.starts_with("x"))
      return Status::decode_error("not JSON at offset " + std::to_string(record.offset));
    const std::int64_t id = std::stoll(value.substr(2, value.find(':', 2) - 2));
    const std::string name = value.substr(value.find(':', 2) + 1);
    const char op = value[0];
    decode::ChangeEvent event =
        op == 'd' ? remove(id) : upsert(id, op == 'n' ? int_cell(7) : text(name), null_cell());
    if (op == 'u') event.kind = EventKind::kUpdate;
    if (op == 's') {
      *fingerprint_ += 1;
      event.schema_changed = true;
    }
    event.schema = users_schema(*fingerprint_);
    event.topic = record.topic;
    event.offset = record.offset;
    event.bytes = value.size();
    return event;
  }

 private:
  std::shared_ptr<std::uint64_t> fingerprint_ = std::make_shared<std::uint64_t>(1);
};

RecordDecoder toy_decode() { return ToyDecoder{}; }

// A batcher reading the time of `source`'s fake clock.
Batcher batcher_for(ScriptedRecords& source, ErrorPolicy policy = ErrorPolicy::kStop,
                    DeadLetterSink* dead_letters = nullptr) {
  return {toy_decode(), policy, dead_letters, source.clock.reader()};
}

class RecordingDeadLetters final : public DeadLetterSink {
 public:
  std::vector<std::pair<kafka::Message, BadRecord>> sent;
  Status answer;
  Status send(const kafka::Message& record, const BadRecord& why) override {
    if (answer.is_ok()) sent.emplace_back(record, why);
    return answer;
  }
};

const BatchLimits kLimits{.max_events = 1000, .max_bytes = 1 << 20, .max_wait_ms = 500, .quiet_poll_ms = 5};

std::vector<kafka::Message> records(std::initializer_list<std::pair<const char*, std::int64_t>> values) {
  std::vector<kafka::Message> out;
  for (const auto& [value, offset] : values) out.push_back(ScriptedRecords::record(value, offset));
  return out;
}

TEST(BatcherTest, AQuietPollEndsTheBatch) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:a", 0}, {"c:2:b", 1}}));
  Batcher batcher = batcher_for(source);
  Result<Batch> batch = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  // Two polls hand out the records at once (the first asks for one), then one quiet poll of quiet_poll_ms
  // ends the batch: 5 ms in all, max_wait (500 ms) never ran out.
  EXPECT_EQ(source.polls, 3);
  EXPECT_EQ(source.clock.now.time_since_epoch(), milliseconds(kLimits.quiet_poll_ms));
  EXPECT_EQ(batch->events, 2);
  EXPECT_EQ(batch->offsets, (std::vector<kafka::TopicPartitionOffset>{{"dbserver1.public.users", 0, 2}}));
  ASSERT_EQ(batch->tables.size(), 1U);
  EXPECT_EQ(batch->tables[0].upserts->num_rows(), 2);
  EXPECT_FALSE(batch->error);
}

TEST(BatcherTest, NothingArrivingGivesAnEmptyBatchAfterMaxWait) {
  ScriptedRecords source;
  Batcher batcher = batcher_for(source);
  BatchLimits limits = kLimits;
  limits.max_wait_ms = 30;
  Result<Batch> batch = batcher.next_batch(source, limits);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(source.polls, 1);  // before the first record: one poll waiting the whole max_wait
  EXPECT_EQ(source.clock.now.time_since_epoch(), milliseconds(30));
  EXPECT_EQ(batch->events, 0);
  EXPECT_TRUE(batch->tables.empty());
  EXPECT_TRUE(batch->offsets.empty());
}

TEST(BatcherTest, MaxEventsEndsTheBatchAndTheRestFollows) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:a", 0}, {"c:2:b", 1}, {"c:3:c", 2}, {"c:4:d", 3}, {"c:5:e", 4}}));
  Batcher batcher = batcher_for(source);
  BatchLimits limits = kLimits;
  limits.max_events = 3;
  Result<Batch> first = batcher.next_batch(source, limits);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->events, 3);
  EXPECT_EQ(first->offsets[0].offset, 3);
  Result<Batch> second = batcher.next_batch(source, limits);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->events, 2);
  EXPECT_EQ(second->offsets[0].offset, 5);
}

TEST(BatcherTest, MaxBytesEndsTheBatch) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:aaaa", 0}, {"c:2:bbbb", 1}, {"c:3:cccc", 2}}));
  Batcher batcher = batcher_for(source);
  BatchLimits limits = kLimits;
  limits.max_bytes = 10;  // each record is 8 bytes
  Result<Batch> batch = batcher.next_batch(source, limits);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(batch->events, 2);
}

TEST(BatcherTest, MaxWaitBoundsABusyStream) {
  ScriptedRecords source;
  source.endless = true;
  Batcher batcher = batcher_for(source);
  BatchLimits limits = kLimits;
  limits.max_wait_ms = 40;
  Result<Batch> batch = batcher.next_batch(source, limits);
  ASSERT_TRUE(batch.is_ok());
  // The first record arrives at 1 ms; max_wait counts from it, so the batch takes one record per ms until
  // 41 ms and ends there, far below max_events.
  EXPECT_EQ(source.clock.now.time_since_epoch(), milliseconds(41));
  EXPECT_EQ(batch->events, 41);
}

TEST(BatcherTest, TombstonesAndDeletesCountInTheOffsets) {
  ScriptedRecords source;
  source.script.push_back(std::vector<kafka::Message>{ScriptedRecords::record("c:1:a", 0),
                                                      ScriptedRecords::record("d:1:", 1),
                                                      ScriptedRecords::record(std::nullopt, 2)});
  Batcher batcher = batcher_for(source);
  Result<Batch> batch = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(batch->events, 3);
  EXPECT_EQ(batch->offsets[0].offset, 3);
  ASSERT_EQ(batch->tables.size(), 1U);
  EXPECT_EQ(batch->tables[0].upserts, nullptr);
  EXPECT_EQ(batch->tables[0].deletes->num_rows(), 1);
}

TEST(BatcherTest, SchemaChangeStartsTheNextBatch) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:a", 0}, {"s:2:b", 1}, {"c:3:c", 2}}));
  Batcher batcher = batcher_for(source);
  Result<Batch> first = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->events, 1);
  EXPECT_EQ(first->offsets[0].offset, 1);  // the held-back record is not consumed yet
  Result<Batch> second = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->events, 2);
  EXPECT_EQ(second->offsets[0].offset, 3);
  ASSERT_EQ(second->tables.size(), 1U);
  EXPECT_EQ(second->tables[0].upserts->num_rows(), 2);
}

TEST(BatcherTest, StopPolicyEndsBeforeTheBadRecordAndRepeatsTheError) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:a", 0}, {"x", 1}, {"c:2:b", 2}}));
  Batcher batcher = batcher_for(source);
  Result<Batch> first = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->events, 1);
  EXPECT_EQ(first->offsets[0].offset, 1);
  ASSERT_TRUE(first->error);
  EXPECT_EQ(first->error->offset, 1);
  EXPECT_EQ(first->error->topic, "dbserver1.public.users");
  EXPECT_TRUE(contains(first->error->reason, "not JSON"));

  const int polls = source.polls;
  Result<Batch> again = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->events, 0);
  ASSERT_TRUE(again->error);
  EXPECT_EQ(again->error->offset, 1);
  EXPECT_EQ(source.polls, polls);  // nothing consumed past it
}

TEST(BatcherTest, AValueThatDoesNotFitNamesTableAndColumn) {
  ScriptedRecords source;
  source.script.push_back(records({{"n:1:a", 0}}));
  Batcher batcher = batcher_for(source);
  Result<Batch> batch = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(batch.is_ok());
  ASSERT_TRUE(batch->error);
  EXPECT_EQ(batch->error->table, "public.users");
  EXPECT_EQ(batch->error->column, "name");
  EXPECT_EQ(batch->error->describe(),
            "topic 'dbserver1.public.users' partition 0 offset 0 (table public.users, column 'name'): "
            "expected a VARCHAR value, got the integer 7");
}

TEST(BatcherTest, DroppingTheBadRecordsTopicLetsOtherTopicsGoOn) {
  ScriptedRecords source;
  source.script.push_back(std::vector<kafka::Message>{
      ScriptedRecords::record("c:1:a", 0), ScriptedRecords::record("x", 0, "dbserver1.public.bad"),
      ScriptedRecords::record("c:9:z", 1, "dbserver1.public.bad"), ScriptedRecords::record("c:2:b", 1)});
  Batcher batcher = batcher_for(source);
  Result<Batch> first = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(first.is_ok());
  ASSERT_TRUE(first->error);
  EXPECT_EQ(first->error->topic, "dbserver1.public.bad");
  EXPECT_EQ(first->events, 1);
  batcher.drop_topics({"dbserver1.public.bad"});
  Result<Batch> second = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(second.is_ok());
  EXPECT_FALSE(second->error);
  EXPECT_EQ(second->events, 1);
  EXPECT_EQ(second->offsets, (std::vector<kafka::TopicPartitionOffset>{{"dbserver1.public.users", 0, 2}}));
}

TEST(BatcherTest, DeadLetterPolicySendsTheRawRecordAndGoesOn) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:a", 0}, {"x", 1}, {"c:2:b", 2}}));
  RecordingDeadLetters dead_letters;
  Batcher batcher = batcher_for(source, ErrorPolicy::kDeadLetter, &dead_letters);
  Result<Batch> batch = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_FALSE(batch->error);
  EXPECT_EQ(batch->events, 3);
  ASSERT_EQ(batch->dead_letters.size(), 1U);  // with its reason, for the sink's log
  EXPECT_EQ(batch->dead_letters[0].offset, 1);
  EXPECT_EQ(batch->dead_letters[0].reason, dead_letters.sent[0].second.reason);
  EXPECT_EQ(batch->offsets[0].offset, 3);
  ASSERT_EQ(dead_letters.sent.size(), 1U);
  EXPECT_EQ(dead_letters.sent[0].first.value, "x");
  EXPECT_EQ(dead_letters.sent[0].second.offset, 1);
}

TEST(BatcherTest, AFailedDeadLetterStopsLikeTheStopPolicy) {
  ScriptedRecords source;
  source.script.push_back(records({{"x", 0}}));
  RecordingDeadLetters dead_letters;
  dead_letters.answer = Status::kafka_error("broker down");
  Batcher batcher = batcher_for(source, ErrorPolicy::kDeadLetter, &dead_letters);
  Result<Batch> batch = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(batch.is_ok());
  ASSERT_TRUE(batch->error);
  EXPECT_TRUE(contains(batch->error->reason, "broker down"));
  EXPECT_EQ(batch->events, 0);
}

TEST(BatcherTest, APollErrorAfterRecordsComesWithTheNextCall) {
  ScriptedRecords source;
  source.script.push_back(records({{"c:1:a", 0}}));
  source.script.push_back(Status::kafka_error("offset out of range"));
  Batcher batcher = batcher_for(source);
  Result<Batch> batch = batcher.next_batch(source, kLimits);
  ASSERT_TRUE(batch.is_ok());
  EXPECT_EQ(batch->events, 1);
  Result<Batch> next = batcher.next_batch(source, kLimits);
  ASSERT_FALSE(next.is_ok());
  EXPECT_TRUE(contains(next.status().message(), "offset out of range"));
}

}  // namespace
}  // namespace cdc::pipeline
