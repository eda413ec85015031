#include "cdc/buffer/table_buffer.hpp"

#include <algorithm>
#include <utility>

#include "cdc/buffer/key_encoding.hpp"

namespace cdc::buffer {

using decode::ChangeEvent;
using decode::EventKind;
using types::Row;

namespace {

// A row member of the event: copied from a const event, moved from an rvalue one.
template <typename Event>
Row take(Event&& event, Row ChangeEvent::*member) {
  return std::forward<Event>(event).*member;
}

bool has_placeholder(const Row& row) {
  return std::any_of(row.begin(), row.end(), [](const types::Cell& cell) { return cell.is_unavailable(); });
}

// A keyless table's before-image: a delete's row, an update's `before`.
Row ChangeEvent::*before_image_member(const ChangeEvent& event) {
  return event.kind == EventKind::kDelete ? &ChangeEvent::row : &ChangeEvent::before;
}

}  // namespace

TableBuffer::TableBuffer(std::string topic, std::string source_schema, std::string source_table)
    : topic_(std::move(topic)),
      source_schema_(std::move(source_schema)),
      source_table_(std::move(source_table)) {}

Result<AddOutcome> TableBuffer::add(const ChangeEvent& event) { return add_event(event); }
Result<AddOutcome> TableBuffer::add(ChangeEvent&& event) { return add_event(std::move(event)); }

bool TableBuffer::empty() const noexcept {
  return !truncated_ && slots_.empty() && appends_.empty() && before_images_.empty();
}

// Rule 4: a new schema starts a new batch for this table.
bool TableBuffer::starts_new_schema(const ChangeEvent& event) const {
  if (event.schema_changed) return true;
  return schema_ != nullptr && event.schema != nullptr && event.schema->fingerprint != schema_->fingerprint;
}

template <typename Event>
Result<AddOutcome> TableBuffer::add_event(Event&& event) {
  if (event.kind == EventKind::kTombstone || event.kind == EventKind::kSkip) return AddOutcome::kAdded;
  // Checked before any boundary, so an event refused with kFlushFirst is always accepted by a fresh buffer.
  if (event.kind != EventKind::kTruncate) CDC_RETURN_IF_ERROR(check_shape(event));
  if (starts_new_schema(event) && !empty()) return AddOutcome::kFlushFirst;

  if (event.kind == EventKind::kTruncate) {
    if (event.schema != nullptr) schema_ = event.schema;
    truncate();
    note(event);
    return AddOutcome::kAdded;
  }
  // Rule 6: a snapshot of this table starts (again): it replaces what DuckDB and this batch hold.
  if (starts_snapshot(event)) {
    truncate();
    snapshot_started_ = true;
    last_position_.reset();
    last_tx_id_.reset();
  }

  const decode::TableSchema& schema = *event.schema;
  if (schema.key_indexes.empty()) {
    // Rule 5, decided before anything moves out of the event.
    const bool removes = event.kind == EventKind::kUpdate || event.kind == EventKind::kDelete;
    if (removes && !appends_.empty()) return AddOutcome::kFlushFirst;
    schema_ = event.schema;
    if (removes) before_images_.push_back(take(std::forward<Event>(event), before_image_member(event)));
    if (event.kind != EventKind::kDelete)
      appends_.push_back(take(std::forward<Event>(event), &ChangeEvent::row));
  } else {
    schema_ = event.schema;
    Row key = event.key.empty() ? Row{} : take(std::forward<Event>(event), &ChangeEvent::key);
    if (key.empty()) {  // the key cells of the after-image (c/r/u) or before-image (d)
      for (std::size_t index : schema.key_indexes) key.push_back(event.row[index]);
    }
    if (event.kind == EventKind::kDelete) {
      delete_keyed(std::move(key));
    } else {
      upsert_keyed(std::move(key), take(std::forward<Event>(event), &ChangeEvent::row));
    }
  }
  note(event);
  return AddOutcome::kAdded;
}

Status TableBuffer::check_shape(const ChangeEvent& event) const {
  const std::string table = "table " + source_schema_ + "." + source_table_;
  if (event.schema == nullptr) return Status::decode_error(table + ": a row event without a schema");
  const decode::TableSchema& schema = *event.schema;
  const bool keyed = !schema.key_indexes.empty();
  const bool has_row = !event.row.empty();
  if (has_row && event.row.size() != schema.fields.size()) {
    return Status::decode_error(table + ": the row has " + std::to_string(event.row.size()) +
                                " values but the schema " + std::to_string(schema.fields.size()) + " fields");
  }
  if (event.kind != EventKind::kDelete && !has_row)
    return Status::decode_error(table + ": a row event without a row");
  if (keyed) {
    if (!event.key.empty() && event.key.size() != schema.key_indexes.size()) {
      return Status::decode_error(table + ": the key has " + std::to_string(event.key.size()) +
                                  " values but the schema " + std::to_string(schema.key_indexes.size()) +
                                  " key columns");
    }
    if (event.key.empty() && !has_row)
      return Status::decode_error(table + ": a delete without key or before-image");
    return Status::ok();
  }
  if (event.kind != EventKind::kUpdate && event.kind != EventKind::kDelete) return Status::ok();
  const Row& before = event.*before_image_member(event);
  if (before.empty()) {
    return Status::decode_error(table + " has no primary key and its " +
                                (event.kind == EventKind::kDelete ? "delete" : "update") +
                                " event carries no before-image, so the row to change cannot be found: run "
                                "ALTER TABLE " +
                                source_schema_ + "." + source_table_ +
                                " REPLICA IDENTITY FULL in PostgreSQL (or give the table a primary key)");
  }
  if (before.size() != schema.fields.size()) {
    return Status::decode_error(table + ": the before-image has " + std::to_string(before.size()) +
                                " values but the schema " + std::to_string(schema.fields.size()) + " fields");
  }
  if (has_placeholder(before)) {
    return Status::decode_error(table +
                                " has no primary key and a before-image holds the unchanged-TOAST "
                                "placeholder, so the row to change cannot be matched: run ALTER TABLE " +
                                source_schema_ + "." + source_table_ +
                                " REPLICA IDENTITY FULL in PostgreSQL");
  }
  return Status::ok();
}

// Rule 2: what came before a truncate is gone; what follows it is applied after it.
void TableBuffer::truncate() {
  truncated_ = true;
  index_.clear();
  slots_.clear();
  appends_.clear();
  before_images_.clear();
}

// Rules 1 and 3.
void TableBuffer::upsert_keyed(Row key, Row row) {
  auto [entry, inserted] = index_.try_emplace(encode_key(key), slots_.size());
  if (inserted) {
    slots_.push_back(Slot{std::move(row), false});
    return;
  }
  Slot& slot = slots_[entry->second];
  if (!slot.deleted) {
    for (std::size_t i = 0; i < row.size() && i < slot.row.size(); ++i) {
      if (row[i].is_unavailable()) row[i] = std::move(slot.row[i]);  // may itself still be Unavailable
    }
  }
  slot.row = std::move(row);
  slot.deleted = false;
}

// Rule 1: the delete wins over any earlier upsert of the key.
void TableBuffer::delete_keyed(Row key) {
  auto [entry, inserted] = index_.try_emplace(encode_key(key), slots_.size());
  if (inserted) {
    slots_.push_back(Slot{std::move(key), true});
    return;
  }
  slots_[entry->second] = Slot{std::move(key), true};
}

void TableBuffer::note(const ChangeEvent& event) {
  switch (event.kind) {
    case EventKind::kCreate:
      ++counts_.creates;
      break;
    case EventKind::kUpdate:
      ++counts_.updates;
      break;
    case EventKind::kDelete:
      ++counts_.deletes;
      break;
    case EventKind::kRead:
      ++counts_.reads;
      break;
    case EventKind::kTruncate:
      ++counts_.truncates;
      break;
    case EventKind::kTombstone:
    case EventKind::kSkip:
      break;
  }
  if (event.lsn) last_lsn_ = event.lsn;
  if (std::optional<decode::SourcePosition> position = event.position();
      position && (!last_position_ || *position > *last_position_)) {
    last_position_ = position;
    last_tx_id_ = event.tx_id;
  }
  last_ts_ms_ = event.source_ts_ms;
}

std::vector<const Row*> TableBuffer::upserts() const {
  std::vector<const Row*> rows;
  if (keyed()) {
    rows.reserve(slots_.size());
    for (const Slot& slot : slots_) {
      if (!slot.deleted) rows.push_back(&slot.row);
    }
  } else {
    rows.reserve(appends_.size());
    for (const Row& row : appends_) rows.push_back(&row);
  }
  return rows;
}

std::vector<const Row*> TableBuffer::deletes() const {
  std::vector<const Row*> rows;
  if (keyed()) {
    for (const Slot& slot : slots_) {
      if (slot.deleted) rows.push_back(&slot.row);
    }
  } else {
    rows.reserve(before_images_.size());
    for (const Row& row : before_images_) rows.push_back(&row);
  }
  return rows;
}

}  // namespace cdc::buffer
