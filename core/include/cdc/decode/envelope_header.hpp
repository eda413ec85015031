// The header of a Debezium change event: what happened (op), to which table, and when in the source.
//
// Input is a Kafka record value written by Kafka Connect's JsonConverter with schemas.enable=true:
//   {"schema": {...}, "payload": {"before": ..., "after": ..., "op": "c", "ts_ms": ...,
//                                 "source": {"schema": "public", "table": "users", "lsn": 123, "ts_ms":
//                                 ...}}}
// The row images (before/after) and their types are decoded elsewhere; this is the part every event has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/decode/op.hpp"
#include "cdc/status.hpp"

namespace cdc::decode {

// source.snapshot: Debezium writes no value for streaming events (the schema default "false").
enum class SnapshotMarker : std::uint8_t {
  kFalse,                  // streaming (absent, null or "false")
  kTrue,                   // a snapshot read in the middle of a table
  kFirst,                  // the first record of the whole snapshot
  kFirstInDataCollection,  // the first record of this table's snapshot
  kLastInDataCollection,   // the last record of this table's snapshot
  kLast,                   // the last record of the whole snapshot
  kIncremental,            // a read of an incremental (signal-driven) snapshot
};

// The SnapshotMarker for `text`, or nullopt when it is not one of Debezium's values.
std::optional<SnapshotMarker> snapshot_marker_from(std::string_view text) noexcept;

// source.sequence = "[\"<last committed LSN>\",\"<current LSN>\"]" (either element may be null): the
// first element as an integer, nullopt for null. A DecodeError for any other shape. Allocation-free.
Result<std::optional<std::int64_t>> parse_sequence_commit_lsn(std::string_view sequence);

struct EnvelopeHeader {
  Op op = Op::kRead;
  std::string schema;                      // source schema, e.g. "public" ("" for a logical decoding message)
  std::string table;                       // source table, e.g. "users" ("" for a logical decoding message)
  std::optional<std::int64_t> lsn;         // source.lsn; absent or null in some snapshot and message events
  std::int64_t source_ts_ms = 0;           // source.ts_ms: when the change happened in PostgreSQL
  std::optional<std::int64_t> commit_lsn;  // source.sequence[0]: the last committed LSN before this event
  std::optional<std::int64_t> tx_id;       // source.txId
  SnapshotMarker snapshot = SnapshotMarker::kFalse;

  friend bool operator==(const EnvelopeHeader&, const EnvelopeHeader&) = default;
};

// Parses `value` and reads its header. A DecodeError says what is wrong and at which field path
// (e.g. "payload.source.ts_ms"). Safe on any input bytes; reuses a per-thread parser.
Result<EnvelopeHeader> decode_envelope_header(std::string_view value);

}  // namespace cdc::decode
