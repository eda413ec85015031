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

struct EnvelopeHeader {
  Op op = Op::kRead;
  std::string schema;               // source schema, e.g. "public" ("" for a logical decoding message)
  std::string table;                // source table, e.g. "users" ("" for a logical decoding message)
  std::optional<std::int64_t> lsn;  // source.lsn; absent or null in some snapshot and message events
  std::int64_t source_ts_ms = 0;    // source.ts_ms: when the change happened in PostgreSQL

  friend bool operator==(const EnvelopeHeader&, const EnvelopeHeader&) = default;
};

// Parses `value` and reads its header. A DecodeError says what is wrong and at which field path
// (e.g. "payload.source.ts_ms"). Safe on any input bytes; reuses a per-thread parser.
Result<EnvelopeHeader> decode_envelope_header(std::string_view value);

}  // namespace cdc::decode
