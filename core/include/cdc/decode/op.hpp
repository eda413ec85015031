// The kind of change a Debezium event records, and its one-letter code in the envelope's "op" field.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cdc::decode {

enum class Op : std::uint8_t {
  kCreate,    // "c": INSERT
  kUpdate,    // "u": UPDATE
  kDelete,    // "d": DELETE
  kRead,      // "r": a row read by the initial snapshot
  kTruncate,  // "t": TRUNCATE (Debezium emits it when skipped.operations does not exclude it)
  kMessage,   // "m": a logical decoding message (pg_logical_emit_message)
};

// The Op for a code, or nullopt when `code` is not one of c, u, d, r, t, m.
std::optional<Op> op_from_code(std::string_view code) noexcept;

// The one-letter code Debezium uses for `op`.
char op_code(Op op) noexcept;

}  // namespace cdc::decode
