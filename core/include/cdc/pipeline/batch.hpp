// What Source::next_batch() hands the sink: per table, the coalesced changes as Arrow tables; per
// partition, the next offset to store; and, when a record could not be used, what and where it was.
// These are the one contract with Python: core/src/bindings/batch_bindings.cpp binds them as _core.Batch,
// _core.TableBatch, ... and the sink uses them directly (src/cdc_pipeline/sink/batch.py documents them).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/arrow/table.hpp"
#include "cdc/buffer/table_buffer.hpp"
#include "cdc/kafka/message.hpp"

namespace cdc::pipeline {

// One column of the source table as the batch's schema describes it.
struct Column {
  std::string name;       // exact source spelling
  std::string duck_type;  // "DECIMAL(10,2)", "VARCHAR", "INTEGER[]", ...
  bool nullable = true;
  std::optional<std::string> default_sql;
  bool key = false;

  friend bool operator==(const Column&, const Column&) = default;
};

// A hash of everything a target plans its DDL and DML from: each column's name, DuckDB type, nullability,
// default and key flag, and the key columns in order. Equal fingerprints mean the same plan, so a target
// re-reads its catalog and re-plans only when a table's fingerprint changes.
[[nodiscard]] std::uint64_t schema_fingerprint(const std::vector<Column>& columns,
                                               const std::vector<std::string>& key_columns) noexcept;

// One table's coalesced changes. Apply: truncate, then deletes, then upserts (see sink/batch.py).
struct TableBatch {
  std::string topic;
  std::string source_schema;
  std::string source_table;
  std::vector<Column> columns;
  std::vector<std::string> key_columns;
  std::uint64_t schema_fingerprint = 0;  // of columns and key_columns (0 when a truncate has no schema)
  bool truncate = false;
  // A snapshot of the table started in this batch: the stored position is replaced by this batch's
  // (null when it has no streaming event).
  bool snapshot_started = false;
  // Key columns (keyed tables) or full before-images (keyless); null when nothing is deleted.
  std::shared_ptr<const arrow::Table> deletes;
  // Every column, then a boolean `__cdc_unavailable_<i>` per column named in `unavailable` (i = its index
  // in `columns`); null when nothing is upserted.
  std::shared_ptr<const arrow::Table> upserts;
  std::vector<std::string> unavailable;
  std::optional<std::int64_t> last_lsn;
  std::optional<std::int64_t> last_source_ts_ms;
  // The highest source position among the batch's streaming events (position_filter.hpp), and its txId.
  std::optional<std::int64_t> last_commit_lsn;
  std::optional<std::int64_t> last_event_lsn;
  std::optional<std::int64_t> last_tx_id;
  buffer::OpCounts counts;
};

// Events of one table this batch consumed but dropped: redelivered duplicates, and updates/deletes of a
// keyless table without a before-image (not REPLICA IDENTITY FULL), which cannot be applied.
struct DroppedEvents {
  std::string table;  // "schema.table"
  std::string topic;
  std::int64_t duplicates = 0;
  std::int64_t unapplied = 0;
};

// A record that could not be decoded or applied: where it is and why.
struct BadRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string table;   // "schema.table" when known
  std::string column;  // when the problem is one column's value
  std::string reason;

  // "topic 'x' partition 0 offset 42 (table public.users, column 'price'): <reason>"
  [[nodiscard]] std::string describe() const;
};

struct Batch {
  std::vector<TableBatch> tables;                    // in the order their first event arrived
  std::vector<kafka::TopicPartitionOffset> offsets;  // next offset of every partition a record came from
  std::int64_t events = 0;              // records consumed: changes, tombstones, skips and dead-lettered ones
  std::int64_t bytes = 0;               // their key + value bytes
  std::vector<BadRecord> dead_letters;  // records sent to the dead-letter topic, with their reasons
  std::vector<DroppedEvents> dropped;   // tables with dropped events, first-seen order
  std::optional<BadRecord> error;       // policy stop: the batch ends before this record
};

}  // namespace cdc::pipeline
