// Collects one batch from decoded events: a TableBuffer per table (first-seen order), the next offset of
// every partition a record came from, and the record/byte counts the batch limits look at. Pure: the
// Kafka side (Source, Batcher) feeds it and decides when the batch ends.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "cdc/buffer/table_buffer.hpp"
#include "cdc/decode/change_event.hpp"
#include "cdc/pipeline/batch.hpp"
#include "cdc/status.hpp"

namespace cdc::pipeline {

// Why an event could not join the batch: `error` (a DecodeError) and the column it concerns, if one.
struct Rejection {
  Status error;
  std::string column;
};

class BatchAssembler {
 public:
  // Adds the event, or says the batch must end before it (kFlushFirst: the event is left untouched, and
  // it is the first event of the next batch). Every cell is checked against its column's type first, so a
  // value that cannot be exported is reported against this record. Tombstones and skips only count.
  std::variant<buffer::AddOutcome, Rejection> add(decode::ChangeEvent&& event);

  // Counts a consumed event that changes nothing: a duplicate (PositionFilter) or, when `duplicate` is
  // false, a keyless update/delete without a before-image. Its offset is part of the batch.
  void count_dropped(const decode::ChangeEvent& event, bool duplicate);

  // Counts a record consumed without a change (a dead-lettered one, `bytes` long): its offset is part of
  // the batch, and the batch carries it with its reason.
  void count_dead_letter(BadRecord record, std::size_t bytes);

  [[nodiscard]] std::int64_t events() const noexcept { return events_; }
  [[nodiscard]] std::int64_t bytes() const noexcept { return bytes_; }

  // The batch: each table exported to Arrow, offsets in (topic, partition) order. Leaves the assembler
  // empty.
  Result<Batch> finish();

 private:
  void count(const std::string& topic, std::int32_t partition, std::int64_t offset, std::size_t bytes);
  buffer::TableBuffer& table_for(const decode::ChangeEvent& event);

  std::vector<std::unique_ptr<buffer::TableBuffer>> tables_;  // first-seen order
  std::unordered_map<std::string, std::size_t> table_index_;  // topic -> tables_ index
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets_;
  std::int64_t events_ = 0;
  std::int64_t bytes_ = 0;
  std::vector<BadRecord> dead_letters_;
};

// An update or delete of a keyless table that carries no before-image (the table is not REPLICA IDENTITY
// FULL): the row it changes cannot be found, so it is dropped, counted and warned about, never mis-applied.
bool is_unappliable_keyless_change(const decode::ChangeEvent& event);

// The first cell of the event that does not fit its column, as a Rejection (OK error when all fit).
Rejection check_cells(const decode::ChangeEvent& event);

}  // namespace cdc::pipeline
