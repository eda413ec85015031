// One source table's pending changes within one batch, coalesced to their final state. Pure: no I/O, no
// Arrow; add() decides and the caller acts (the Debezium JDBC sink's shape).
//
// RULES (DESIGN.md "Rules the buffer enforces"; each is enforced in table_buffer.cpp where named):
//  1. Last write wins per key; a delete after an upsert wins; an insert after a delete is an upsert.
//     Keys are the event's key cells, hashed from their type-tagged encoding (key_encoding.hpp).
//  2. A truncate drops this table's pending rows and is applied before the rows that follow it (the
//     target truncates first, then deletes, then upserts).
//  3. The unchanged-TOAST placeholder (Cell Unavailable) never overwrites: the column takes the latest real
//     value seen in this batch for that key, else stays Unavailable and the exporter marks it in the
//     column's `__cdc_unavailable_<i>` mask so the target keeps the value DuckDB has.
//  4. A schema change is a flush boundary: an event whose schema differs from the pending rows' schema
//     (schema_changed, or a different fingerprint) is refused with kFlushFirst while anything is pending.
//  5. Tables without a key (key_indexes empty): inserts and snapshot reads append; deletes carry their
//     before-image (each removes one equal row); an update is a delete of its before-image plus an append
//     of its after-image. The target applies deletes before appends, so a delete or update arriving while
//     appends are pending is a flush boundary (kFlushFirst). An update/delete without a before-image is an
//     error naming the table and the fix (REPLICA IDENTITY FULL).
//  6. The first record of a table's snapshot (op r with snapshot = first or first_in_data_collection; not
//     incremental) truncates the table before it: a snapshot Debezium redoes (Connect killed mid-snapshot,
//     a re-created connector) replaces the table instead of appending to it.
//
// Where the before-image of a keyless table comes from: a delete's `row`, an update's `before`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/decode/change_event.hpp"
#include "cdc/status.hpp"

namespace cdc::buffer {

enum class AddOutcome : std::uint8_t {
  kAdded,       // the event is part of this batch
  kFlushFirst,  // end the batch before this event, then add it to a fresh buffer (rules 4 and 5)
};

// Events per op added to the buffer (including those later coalesced away).
struct OpCounts {
  std::int64_t creates = 0;     // c
  std::int64_t updates = 0;     // u
  std::int64_t deletes = 0;     // d
  std::int64_t reads = 0;       // r
  std::int64_t truncates = 0;   // t
  std::int64_t duplicates = 0;  // streaming events at or below the applied position: dropped
  std::int64_t unapplied = 0;   // keyless updates/deletes without a before-image: dropped, warned
};

// Rule 6: the first record of a table's (initial or re-done, not incremental) snapshot.
inline bool starts_snapshot(const decode::ChangeEvent& event) noexcept {
  return event.kind == decode::EventKind::kRead &&
         (event.snapshot == decode::SnapshotMarker::kFirst ||
          event.snapshot == decode::SnapshotMarker::kFirstInDataCollection);
}

class TableBuffer {
 public:
  TableBuffer(std::string topic, std::string source_schema, std::string source_table);

  // Takes one event into the batch, or says the batch must end before it (nothing changes then). A
  // DecodeError when the event cannot be applied (see rule 5, or a key or row that does not match the
  // schema); the buffer is unchanged then too. Tombstones and skips change nothing.
  Result<AddOutcome> add(const decode::ChangeEvent& event);
  Result<AddOutcome> add(decode::ChangeEvent&& event);  // moves the rows out when the event is added

  // Nothing to apply: no rows, no deletes, no truncate.
  [[nodiscard]] bool empty() const noexcept;

  [[nodiscard]] const std::string& topic() const noexcept { return topic_; }
  [[nodiscard]] const std::string& source_schema() const noexcept { return source_schema_; }
  [[nodiscard]] const std::string& source_table() const noexcept { return source_table_; }
  // The schema of the pending rows (null until an event carrying a schema was added).
  [[nodiscard]] const std::shared_ptr<const decode::TableSchema>& schema() const noexcept { return schema_; }
  [[nodiscard]] bool keyed() const noexcept { return schema_ != nullptr && !schema_->key_indexes.empty(); }
  [[nodiscard]] bool truncated() const noexcept { return truncated_; }
  // A snapshot of the table started in this batch (rule 6): the stored position no longer applies.
  [[nodiscard]] bool snapshot_started() const noexcept { return snapshot_started_; }
  [[nodiscard]] const OpCounts& counts() const noexcept { return counts_; }
  [[nodiscard]] const std::optional<std::int64_t>& last_lsn() const noexcept { return last_lsn_; }
  [[nodiscard]] const std::optional<std::int64_t>& last_source_ts_ms() const noexcept { return last_ts_ms_; }
  // The highest source position added (streaming events only) and that event's txId.
  [[nodiscard]] const std::optional<decode::SourcePosition>& last_position() const noexcept {
    return last_position_;
  }
  [[nodiscard]] const std::optional<std::int64_t>& last_tx_id() const noexcept { return last_tx_id_; }
  // Counts an event dropped without changing the batch (a duplicate or an unappliable keyless change).
  void count_dropped(bool duplicate) noexcept { ++(duplicate ? counts_.duplicates : counts_.unapplied); }

  // Rows whose final state is a row, in first-seen order: full rows in `schema()->fields` order, possibly
  // holding Unavailable cells (rule 3).
  [[nodiscard]] std::vector<const types::Row*> upserts() const;
  // Rows to delete, in first-seen order: keyed tables give the key cells (key_indexes order), keyless
  // tables the full before-images.
  [[nodiscard]] std::vector<const types::Row*> deletes() const;

 private:
  // One key's final state in a keyed table.
  struct Slot {
    types::Row row;  // the full row, or (deleted) the key cells
    bool deleted = false;
  };

  template <typename Event>
  Result<AddOutcome> add_event(Event&& event);
  [[nodiscard]] bool starts_new_schema(const decode::ChangeEvent& event) const;
  Status check_shape(const decode::ChangeEvent& event) const;
  void truncate();
  void upsert_keyed(types::Row key, types::Row row);
  void delete_keyed(types::Row key);
  Result<AddOutcome> change_keyless(const decode::ChangeEvent& event, types::Row before, types::Row after);
  void note(const decode::ChangeEvent& event);

  std::string topic_;
  std::string source_schema_;
  std::string source_table_;
  std::shared_ptr<const decode::TableSchema> schema_;
  bool truncated_ = false;
  bool snapshot_started_ = false;

  std::unordered_map<std::string, std::size_t> index_;  // encoded key -> slot (keyed tables)
  std::vector<Slot> slots_;                             // keyed tables, first-seen order
  std::vector<types::Row> appends_;                     // keyless tables
  std::vector<types::Row> before_images_;               // keyless tables

  OpCounts counts_;
  std::optional<std::int64_t> last_lsn_;
  std::optional<std::int64_t> last_ts_ms_;
  std::optional<decode::SourcePosition> last_position_;
  std::optional<std::int64_t> last_tx_id_;
};

}  // namespace cdc::buffer
