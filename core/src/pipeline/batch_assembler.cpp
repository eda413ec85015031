#include "cdc/pipeline/batch_assembler.hpp"

#include "cdc/arrow/cell_check.hpp"
#include "cdc/pipeline/table_export.hpp"

namespace cdc::pipeline {

using decode::EventKind;

namespace {

// The first cell of a full row (after- or before-image) that does not fit its field.
Rejection check_image(const decode::TableSchema& schema, const types::Row& image) {
  for (std::size_t i = 0; i < image.size() && i < schema.fields.size(); ++i) {
    Status status = arrow::check_cell(schema.fields[i].type, image[i]);
    if (!status.is_ok()) return Rejection{std::move(status), schema.fields[i].name};
  }
  return {};
}

}  // namespace

Rejection check_cells(const decode::ChangeEvent& event) {
  if (event.schema == nullptr) return {};
  const decode::TableSchema& schema = *event.schema;
  for (const types::Row* image : {&event.row, &event.before}) {
    Rejection rejection = check_image(schema, *image);
    if (!rejection.error.is_ok()) return rejection;
  }
  // Key cells of a keyed table (malformed keys are TableBuffer's to report).
  for (std::size_t j = 0; j < event.key.size() && j < schema.key_indexes.size(); ++j) {
    const std::size_t field = schema.key_indexes[j];
    if (field >= schema.fields.size()) break;
    Status status = arrow::check_cell(schema.fields[field].type, event.key[j]);
    if (!status.is_ok()) return Rejection{std::move(status), schema.fields[field].name};
  }
  return {};
}

bool is_unappliable_keyless_change(const decode::ChangeEvent& event) {
  if (event.schema == nullptr || !event.schema->key_indexes.empty()) return false;
  if (event.kind == EventKind::kDelete) return event.row.empty();
  return event.kind == EventKind::kUpdate && event.before.empty();
}

void BatchAssembler::count_dropped(const decode::ChangeEvent& event, bool duplicate) {
  table_for(event).count_dropped(duplicate);
  count(event.topic, event.partition, event.offset, event.bytes);
}

std::variant<buffer::AddOutcome, Rejection> BatchAssembler::add(decode::ChangeEvent&& event) {
  if (event.kind != EventKind::kTombstone && event.kind != EventKind::kSkip) {
    Rejection rejection = check_cells(event);
    if (!rejection.error.is_ok()) return rejection;
    buffer::TableBuffer& table = table_for(event);
    const std::string topic = event.topic;
    const std::int32_t partition = event.partition;
    const std::int64_t offset = event.offset;
    const std::size_t bytes = event.bytes;
    Result<buffer::AddOutcome> outcome = table.add(std::move(event));
    if (!outcome.is_ok()) return Rejection{outcome.status(), ""};
    if (*outcome == buffer::AddOutcome::kFlushFirst) return buffer::AddOutcome::kFlushFirst;
    count(topic, partition, offset, bytes);
    return buffer::AddOutcome::kAdded;
  }
  count(event.topic, event.partition, event.offset, event.bytes);
  return buffer::AddOutcome::kAdded;
}

void BatchAssembler::count_dead_letter(BadRecord record, std::size_t bytes) {
  count(record.topic, record.partition, record.offset, bytes);
  dead_letters_.push_back(std::move(record));
}

void BatchAssembler::count(const std::string& topic, std::int32_t partition, std::int64_t offset,
                           std::size_t bytes) {
  std::int64_t& next = next_offsets_[{topic, partition}];
  next = std::max(next, offset + 1);  // the next offset to read: kafka::next_offset()'s rule
  ++events_;
  bytes_ += static_cast<std::int64_t>(bytes);
}

buffer::TableBuffer& BatchAssembler::table_for(const decode::ChangeEvent& event) {
  auto [entry, inserted] = table_index_.try_emplace(event.topic, tables_.size());
  if (inserted) {
    tables_.push_back(
        std::make_unique<buffer::TableBuffer>(event.topic, event.source_schema, event.source_table));
  }
  return *tables_[entry->second];
}

Result<Batch> BatchAssembler::finish() {
  Batch batch;
  batch.events = std::exchange(events_, 0);
  batch.bytes = std::exchange(bytes_, 0);
  batch.dead_letters = std::exchange(dead_letters_, {});
  for (const auto& [position, next] : next_offsets_) {
    batch.offsets.push_back(kafka::TopicPartitionOffset{position.first, position.second, next});
  }
  next_offsets_.clear();
  batch.tables.reserve(tables_.size());
  for (const auto& table : tables_) {
    const buffer::OpCounts& counts = table->counts();
    if (counts.duplicates > 0 || counts.unapplied > 0) {
      batch.dropped.push_back(DroppedEvents{table->source_schema() + "." + table->source_table(),
                                            table->topic(), counts.duplicates, counts.unapplied});
    }
    if (table->empty()) continue;
    CDC_ASSIGN_OR_RETURN(TableBatch exported, export_table(*table));
    batch.tables.push_back(std::move(exported));
  }
  tables_.clear();
  table_index_.clear();
  return batch;
}

}  // namespace cdc::pipeline
