#include "cdc/pipeline/batcher.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace cdc::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

// Records per poll: bounds what waits in memory between batches.
constexpr std::size_t kMaxPollRecords = 10'000;

// The decoder already starts its messages with "topic T partition P offset O: "; BadRecord has those fields.
std::string without_position(const kafka::Message& record, std::string reason) {
  const std::string position = "topic " + record.topic + " partition " + std::to_string(record.partition) +
                               " offset " + std::to_string(record.offset) + ": ";
  if (reason.starts_with(position)) reason.erase(0, position.size());
  return reason;
}

std::int64_t elapsed_ms(Clock::time_point since, Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count();
}

BatchClock steady_or(BatchClock clock) {
  if (clock) return clock;
  return [] { return Clock::now(); };
}

}  // namespace

std::size_t record_bytes(const kafka::Message& record) noexcept {
  return (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
}

Batcher::Batcher(RecordDecoder decoder, ErrorPolicy policy, DeadLetterSink* dead_letters, BatchClock clock)
    : decoder_(std::move(decoder)),
      clock_(steady_or(std::move(clock))),
      policy_(policy),
      dead_letters_(dead_letters) {}

Result<Batch> Batcher::next_batch(RecordSource& records, const BatchLimits& limits) {
  if (stuck_) {  // rule 5: the same error again, nothing consumed
    Batch batch;
    batch.error = stuck_;
    return batch;
  }
  if (!poll_error_.is_ok()) return std::exchange(poll_error_, Status::ok());

  BatchAssembler assembler;
  const Clock::time_point start = clock_();
  std::optional<Clock::time_point> first;
  if (held_) {  // rule 4: the event that ended the previous batch starts this one
    first = start;
    const std::optional<decode::SourcePosition> position = held_->position();
    const std::string table = table_name(*held_);
    const std::string topic = held_->topic;
    auto outcome = assembler.add(std::move(*held_));
    held_.reset();
    if (position) positions_.raise(table, topic, *position);
    if (!std::holds_alternative<buffer::AddOutcome>(outcome)) {
      return Status::internal("a held-back event was refused by a fresh batch: " +
                              std::get<Rejection>(outcome).error.to_string());
    }
  }
  constexpr std::size_t kMax = std::numeric_limits<std::int64_t>::max();
  const auto max_events = static_cast<std::int64_t>(std::min(limits.max_events, kMax));
  const auto max_bytes = static_cast<std::int64_t>(std::min(limits.max_bytes, kMax));
  while (assembler.events() < max_events && assembler.bytes() < max_bytes) {  // rule 1
    if (pending_.empty()) {
      Result<bool> more = refill(records, limits, assembler.events(),
                                 elapsed_ms(first.value_or(start), clock_()), first.has_value());
      if (!more.is_ok()) {
        if (assembler.events() == 0) return more.status();
        poll_error_ = more.status();  // deliver what was taken; the error comes with the next call
        break;
      }
      if (!*more) break;  // rules 2 and 3
      continue;
    }
    if (!first) first = clock_();
    const Step step = take(pending_.front(), assembler);
    if (step == Step::kStopped) break;  // the bad record stays first in pending_
    pending_.pop_front();
    if (step == Step::kHeld) break;
  }
  CDC_ASSIGN_OR_RETURN(Batch batch, assembler.finish());
  batch.error = stuck_;
  return batch;
}

Result<bool> Batcher::refill(RecordSource& records, const BatchLimits& limits, std::int64_t taken,
                             std::int64_t elapsed, bool started) {
  const std::int64_t left = limits.max_wait_ms - elapsed;
  if (left <= 0) return false;
  // Before the first record: wait for one (poll returns as soon as it has max_records). After it: a short
  // poll collecting whatever else is there.
  const std::size_t want =
      started ? std::min<std::size_t>(kMaxPollRecords, limits.max_events - static_cast<std::size_t>(taken))
              : 1;
  const int timeout = static_cast<int>(started ? std::min<std::int64_t>(limits.quiet_poll_ms, left) : left);
  CDC_ASSIGN_OR_RETURN(std::vector<kafka::Message> polled, records.poll(want, timeout));
  if (polled.empty()) return !started;  // started: a quiet poll ends the batch; else wait again if time left
  for (kafka::Message& record : polled) pending_.push_back(std::move(record));
  return true;
}

Batcher::Step Batcher::take(const kafka::Message& record, BatchAssembler& assembler) {
  Result<decode::ChangeEvent> decoded = decoder_(record);
  if (!decoded.is_ok()) return reject(record, decoded.status(), "", "", assembler);
  decode::ChangeEvent event = std::move(decoded).value();
  std::string table = event.source_table.empty() ? "" : event.source_schema + "." + event.source_table;
  if (event.kind == decode::EventKind::kRead && buffer::starts_snapshot(event))
    positions_.forget_table(table);
  const bool duplicate = positions_.is_duplicate(event);  // rule 0
  if (duplicate || is_unappliable_keyless_change(event)) {
    assembler.count_dropped(event, duplicate);
    return Step::kTaken;
  }
  const std::optional<decode::SourcePosition> position = event.position();
  auto outcome = assembler.add(std::move(event));
  if (const auto* rejection = std::get_if<Rejection>(&outcome)) {
    return reject(record, rejection->error, std::move(table), rejection->column, assembler);
  }
  if (std::get<buffer::AddOutcome>(outcome) == buffer::AddOutcome::kFlushFirst) {
    held_ = std::move(event);  // NOLINT(bugprone-use-after-move): a refused event is left intact
    return Step::kHeld;
  }
  if (position) positions_.raise(table, record.topic, *position);
  return Step::kTaken;
}

Batcher::Step Batcher::reject(const kafka::Message& record, const Status& error, std::string table,
                              std::string column, BatchAssembler& assembler) {
  BadRecord bad{.topic = record.topic,
                .partition = record.partition,
                .offset = record.offset,
                .table = std::move(table),
                .column = std::move(column),
                .reason = without_position(record, error.message())};
  if (policy_ == ErrorPolicy::kDeadLetter && dead_letters_ != nullptr) {
    Status sent = dead_letters_->send(record, bad);
    if (sent.is_ok()) {
      assembler.count_dead_letter(std::move(bad), record_bytes(record));
      return Step::kTaken;
    }
    bad.reason += " (writing it to the dead-letter topic failed too: " + sent.message() + ")";
  }
  stuck_ = std::move(bad);
  return Step::kStopped;
}

void Batcher::drop_topics(const std::set<std::string>& topics) {
  std::erase_if(pending_, [&](const kafka::Message& record) { return topics.contains(record.topic); });
  if (held_ && topics.contains(held_->topic)) held_.reset();
  if (stuck_ && topics.contains(stuck_->topic)) stuck_.reset();
  positions_.forget_topics(topics);
}

void Batcher::reset(const std::map<std::string, decode::SourcePosition>& applied,
                    std::map<std::string, LoadedSnapshot> loaded) {
  positions_.reset(applied, std::move(loaded));
  pending_.clear();
  held_.reset();
  stuck_.reset();
  poll_error_ = Status::ok();
}

}  // namespace cdc::pipeline
