// One Kafka record of a Debezium table topic, decoded: the single event type the buffer consumes. Its kind
// names every case (a row change, a truncate, a tombstone, a message to skip) so no code guesses from nulls.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cdc/decode/envelope_header.hpp"
#include "cdc/decode/table_schema.hpp"
#include "cdc/types/cell.hpp"

namespace cdc::decode {

enum class EventKind : std::uint8_t {
  kCreate,     // op c
  kUpdate,     // op u
  kDelete,     // op d (the row's key; `row` holds the before-image when the table has no key)
  kRead,       // op r (snapshot)
  kTruncate,   // op t
  kTombstone,  // null value after a delete: nothing to apply, but its offset counts
  kSkip,       // op m, or a topic that is not a table: nothing to apply, but its offset counts
};

// Where a streaming event sits in the source's commit order: (source.sequence[0], source.lsn), compared
// lexicographically. sequence[0] is the LSN of the last commit Debezium had seen before the event, so
// transactions order by it (pgoutput sends them in commit order) and events of one transaction by their
// own LSN. Measured on Debezium 3.7: it increases strictly per table in topic order, also for interleaved
// transactions, and a copy redelivered after a Connect or broker crash carries the same values.
struct SourcePosition {
  std::int64_t commit_lsn = 0;  // a null sequence[0] reads as 0
  std::int64_t lsn = 0;

  friend auto operator<=>(const SourcePosition&, const SourcePosition&) = default;
};

struct ChangeEvent {
  EventKind kind = EventKind::kSkip;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string source_schema;  // "public"
  std::string source_table;   // "users"
  // Null for skips. A truncate carries the topic's last known schema and a tombstone the one its key was
  // decoded with (both null when no change event of the topic was decoded before in this process).
  std::shared_ptr<const TableSchema> schema;
  // This topic's schema differs from the previous event's on it, or it is the first event of the topic
  // decoded in this process (c/u/r/d only).
  bool schema_changed = false;
  types::Row key;  // the key columns' values, in key_indexes order
  types::Row row;  // after-image (c/u/r) or before-image (d), in `schema->fields` order
  // Updates of a table without key only: the before-image (REPLICA IDENTITY FULL) that identifies the
  // updated row; empty otherwise (and empty when the source sent no before-image).
  types::Row before;
  std::optional<std::int64_t> lsn;
  std::optional<std::int64_t> commit_lsn;  // source.sequence[0] (see pipeline/position_filter.hpp)
  std::optional<std::int64_t> tx_id;       // source.txId
  SnapshotMarker snapshot = SnapshotMarker::kFalse;
  std::int64_t source_ts_ms = 0;
  std::size_t bytes = 0;  // size of the Kafka record (key + value), for batch limits

  // The position of a streaming change (c/u/d/t, not a snapshot read) that carries source.lsn; nullopt
  // for snapshot reads, tombstones, skips and events without an LSN (never deduplicated).
  [[nodiscard]] std::optional<SourcePosition> position() const {
    const bool change = kind == EventKind::kCreate || kind == EventKind::kUpdate ||
                        kind == EventKind::kDelete || kind == EventKind::kTruncate;
    if (!change || snapshot != SnapshotMarker::kFalse || !lsn) return std::nullopt;
    return SourcePosition{commit_lsn.value_or(0), *lsn};
  }
};

}  // namespace cdc::decode
