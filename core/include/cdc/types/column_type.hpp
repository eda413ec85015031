// The neutral type vocabulary between Debezium's field schemas and DuckDB: what a column holds, and its
// DuckDB type text. The mapping from a Debezium field schema to a ColumnType lives in one table
// (types/type_map.hpp), what each Kind is in DuckDB and in Arrow in another (types/kind_table.hpp); this
// header only names the results.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace cdc::types {

enum class Kind : std::uint8_t {
  kBoolean,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kDecimal,      // precision <= 38; the unscaled value travels as a 128-bit integer
  kVarchar,      // also numerics wider than DECIMAL(38), enums, inet, ranges, xml, ...
  kJson,         // travels as UTF-8 text; the target casts it to JSON
  kUuid,         // travels as text
  kBlob,         // bytes
  kBit,          // travels as text of '0'/'1'
  kDate,         // days since 1970-01-01
  kTime,         // microseconds since midnight
  kTimeTz,       // travels as ISO text with offset
  kTimestamp,    // microseconds since epoch, no time zone
  kTimestampTz,  // microseconds since epoch, UTC
  kInterval,     // months, days, nanoseconds
  kList,         // of `element`; stays last: kind_table.hpp counts the kinds by it
};

struct ColumnType {
  Kind kind = Kind::kVarchar;
  std::uint8_t precision = 0;                 // kDecimal only
  std::uint8_t scale = 0;                     // kDecimal only
  std::shared_ptr<const ColumnType> element;  // kList only

  // DuckDB's spelling: "INTEGER", "DECIMAL(10,2)", "TIMESTAMPTZ", "VARCHAR[]", ...
  [[nodiscard]] std::string duck_type() const;
  friend bool operator==(const ColumnType& a, const ColumnType& b);
};

}  // namespace cdc::types
