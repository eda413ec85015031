#include "cdc/pipeline/replay.hpp"

#include <algorithm>
#include <utility>

#include "cdc/decode/event_decoder.hpp"
#include "cdc/pipeline/batcher.hpp"

namespace cdc::pipeline {

namespace {

// Hands out the list in order, as a consumer with everything already fetched would.
class ListRecords final : public RecordSource {
 public:
  explicit ListRecords(std::vector<kafka::Message> records) : records_(std::move(records)) {}

  Result<std::vector<kafka::Message>> poll(std::size_t max_records, int /*timeout_ms*/) override {
    const std::size_t count = std::min(max_records, records_.size() - next_);
    std::vector<kafka::Message> out(
        std::make_move_iterator(records_.begin() + static_cast<std::ptrdiff_t>(next_)),
        std::make_move_iterator(records_.begin() + static_cast<std::ptrdiff_t>(next_ + count)));
    next_ += count;
    return out;
  }

  [[nodiscard]] bool exhausted() const noexcept { return next_ == records_.size(); }

 private:
  std::vector<kafka::Message> records_;
  std::size_t next_ = 0;
};

}  // namespace

Result<std::vector<Batch>> batches_from_records(std::vector<kafka::Message> records, std::size_t max_events) {
  if (max_events == 0) return Status::invalid_argument("max_events must be > 0");
  decode::EventDecoder decoder;
  Batcher batcher([&decoder](const kafka::Message& record) { return decoder.decode(record); },
                  ErrorPolicy::kStop, nullptr);
  ListRecords source(std::move(records));
  // Everything is already "fetched": no waiting, and an empty poll ends a batch at once.
  const BatchLimits limits{
      .max_events = max_events, .max_bytes = SIZE_MAX, .max_wait_ms = 60'000, .quiet_poll_ms = 0};
  std::vector<Batch> batches;
  while (!(source.exhausted() && batcher.idle())) {
    CDC_ASSIGN_OR_RETURN(Batch batch, batcher.next_batch(source, limits));
    const bool stop = batch.error.has_value();
    batches.push_back(std::move(batch));
    if (stop) break;
  }
  return batches;
}

}  // namespace cdc::pipeline
