// One Kafka record of a Debezium table topic, decoded: the single event type the buffer consumes. Its kind
// names every case (a row change, a truncate, a tombstone, a message to skip) so no code guesses from nulls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

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
  std::int64_t source_ts_ms = 0;
  std::size_t bytes = 0;  // size of the Kafka record (key + value), for batch limits
};

}  // namespace cdc::decode
