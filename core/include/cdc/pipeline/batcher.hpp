// The batching loop behind Source::next_batch(), with Kafka behind two small interfaces so that every
// rule below is unit-tested with a list of records.
//
// A batch ends when (first that applies):
//  1. it holds `max_events` records or `max_bytes` bytes;
//  2. `max_wait_ms` have passed since its first record (or since the call, while none came: then the batch
//     is empty);
//  3. after at least one record, a short poll (`quiet_poll_ms`) finds nothing more: a quiet stream gets low
//     latency, a busy one big batches;
//  4. a table's buffer says kFlushFirst (schema change, keyless ordering): that event starts the next batch;
//  0. (not an end) a redelivered streaming event at or below its table's applied position, and a keyless
//     update/delete without a before-image, are consumed but dropped and counted (Batch::dropped);
//  5. a bad record (decode error, a value that does not fit its column, a change the buffer cannot apply)
//     under the stop policy: the batch ends before it, Batch::error says what and where, and every later
//     call returns the same error without consuming past it, until drop_topics() forgets its topic. Under
//     the dead_letter policy the raw record goes to the DeadLetterSink and counts as consumed.
//
// Time (rules 2 and 3) is read from a BatchClock, so tests drive it by hand instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cdc/decode/change_event.hpp"
#include "cdc/kafka/message.hpp"
#include "cdc/pipeline/batch.hpp"
#include "cdc/pipeline/batch_assembler.hpp"
#include "cdc/pipeline/position_filter.hpp"
#include "cdc/status.hpp"

namespace cdc::pipeline {

// Where records come from: the Kafka consumer in production, a list in tests. Same contract as
// kafka::Consumer::poll_batch (waits at most timeout_ms, returns what arrived, possibly nothing).
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  virtual Result<std::vector<kafka::Message>> poll(std::size_t max_records, int timeout_ms) = 0;
};

// Where bad records go under the dead_letter policy; send() returns once the record is stored.
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual Status send(const kafka::Message& record, const BadRecord& why) = 0;
};

using RecordDecoder = std::function<Result<decode::ChangeEvent>(const kafka::Message&)>;

// The batcher's "now": std::chrono::steady_clock unless a test injects a fake one. It is read when a batch
// begins, at its first record and before each poll, never per record, so a std::function costs nothing.
using BatchClock = std::function<std::chrono::steady_clock::time_point()>;

enum class ErrorPolicy : std::uint8_t { kStop, kDeadLetter };

struct BatchLimits {
  std::size_t max_events = 100'000;
  std::size_t max_bytes = 256U << 20U;
  int max_wait_ms = 1000;
  int quiet_poll_ms = 10;
};

class Batcher {
 public:
  // `dead_letters` must outlive the batcher when the policy is kDeadLetter (it is unused otherwise); an empty
  // `clock` is steady_clock.
  Batcher(RecordDecoder decoder, ErrorPolicy policy, DeadLetterSink* dead_letters, BatchClock clock = {});

  Result<Batch> next_batch(RecordSource& records, const BatchLimits& limits);

  // Forgets every record of these topics that was read but is not in a batch yet, including a held-back
  // event and a bad record the stop policy is stuck on (used when the sink stops those tables).
  void drop_topics(const std::set<std::string>& topics);

  // Forgets everything read but not batched (used when the assignment starts over), and takes DuckDB's
  // applied position per table ("schema.table") and the loaded snapshots for the exactly-once rule
  // (position_filter.hpp).
  void reset(const std::map<std::string, decode::SourcePosition>& applied = {},
             std::map<std::string, LoadedSnapshot> loaded = {});

  // Forgets the loaded snapshot of `table` (position_filter.hpp).
  void forget_loaded(const std::string& table) { positions_.forget_loaded(table); }

  // Nothing read waits for a batch (no pending record, no held-back event, no stuck error).
  [[nodiscard]] bool idle() const noexcept { return pending_.empty() && !held_ && !stuck_; }

 private:
  enum class Step : std::uint8_t { kTaken, kHeld, kStopped };

  Step take(const kafka::Message& record, BatchAssembler& assembler);
  Step reject(const kafka::Message& record, const Status& error, std::string table, std::string column,
              BatchAssembler& assembler);
  // Polls more records into pending_; false when the batch should end (nothing came, or time is up).
  Result<bool> refill(RecordSource& records, const BatchLimits& limits, std::int64_t taken,
                      std::int64_t elapsed_ms, bool started);

  RecordDecoder decoder_;
  BatchClock clock_;
  ErrorPolicy policy_;
  DeadLetterSink* dead_letters_;
  std::deque<kafka::Message> pending_;       // read from Kafka, not yet in a batch
  std::optional<decode::ChangeEvent> held_;  // refused with kFlushFirst: first of the next batch
  std::optional<BadRecord> stuck_;           // stop policy: the record we do not consume past
  PositionFilter positions_;                 // per table: the highest position applied or batched
  Status poll_error_;                        // a poll error seen after records were taken: next call's
};

// The key + value bytes of a record (what max_bytes counts).
std::size_t record_bytes(const kafka::Message& record) noexcept;

}  // namespace cdc::pipeline
