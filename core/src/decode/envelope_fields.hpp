// The header fields of an already-parsed Debezium payload (private to src/decode): shared by
// decode_envelope_header() and the EventDecoder so both read op and source the same way.
#pragma once

#include <simdjson.h>

#include "cdc/decode/envelope_header.hpp"

namespace cdc::decode {

// op, source.schema, source.table, source.lsn and source.ts_ms of `payload` (paths "payload.*" in errors).
Result<EnvelopeHeader> read_envelope_header(simdjson::dom::object payload);

}  // namespace cdc::decode
