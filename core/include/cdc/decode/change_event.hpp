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
  std::string source_schema;                  // "public"
  std::string source_table;                   // "users"
  std::shared_ptr<const TableSchema> schema;  // null for tombstones and skips
  bool schema_changed = false;                // this topic's schema differs from the previous event's on it
  types::Row key;                             // the key columns' values, in key_indexes order
  types::Row row;  // after-image (c/u/r) or before-image (d), in `schema->fields` order
  std::optional<std::int64_t> lsn;
  std::int64_t source_ts_ms = 0;
  std::size_t bytes = 0;  // size of the Kafka record (key + value), for batch limits
};

}  // namespace cdc::decode
