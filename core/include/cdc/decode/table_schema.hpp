// A table's shape as Debezium's embedded Connect schema describes it, parsed once per distinct schema text
// and shared by every event that carries the same text.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/types/column_type.hpp"

namespace cdc::decode {

// How a field's JSON value is encoded on the wire (Debezium semantic name + Connect type + modes).
enum class Encoding : std::uint8_t {
  kBoolean,
  kInteger,         // int8/16/32/64 JSON numbers
  kFloat,           // float32/64: JSON numbers, or "NaN"/"Infinity"/"-Infinity" strings
  kString,          // plain text (also Json, Uuid, Enum, Xml, ZonedTime, inet, ranges, ...)
  kBase64Bytes,     // Connect BYTES
  kConnectDecimal,  // org.apache.kafka.connect.data.Decimal: base64 two's complement, params scale/precision
  kVariableScaleDecimal,  // io.debezium.data.VariableScaleDecimal {scale, value}
  kDecimalText,           // decimal.handling.mode=string: "1.50", "NAN", "POSITIVE_INFINITY", ...
  kDateDays,              // io.debezium.time.Date / org.apache.kafka.connect.data.Date
  kTimeMillis,            // io.debezium.time.Time
  kTimeMicros,            // io.debezium.time.MicroTime
  kTimeNanos,             // io.debezium.time.NanoTime
  kTimestampMillis,       // io.debezium.time.Timestamp
  kTimestampMicros,       // io.debezium.time.MicroTimestamp
  kTimestampNanos,        // io.debezium.time.NanoTimestamp
  kZonedTimestamp,        // io.debezium.time.ZonedTimestamp (ISO-8601 text, UTC)
  kMicroDuration,         // io.debezium.time.MicroDuration (approximate µs)
  kIsoInterval,           // io.debezium.time.Interval ("P1Y2M3DT4H5M6.78S")
  kBits,                  // io.debezium.data.Bits: base64 little-endian bytes, param length
  kGeometry,              // io.debezium.data.geometry.*: struct {wkb, srid}
  kArray,                 // Connect ARRAY of `element`
  kJsonText,              // Connect MAP (hstore.handling.mode=map) or an unknown STRUCT: kept as JSON text
};

// The DECIMAL a column of exact decimal text is declared as when every value of a batch fits it.
struct DecimalFit {
  std::uint8_t precision = 38;
  std::uint8_t scale = 18;
  // The text always has exactly `scale` fractional digits (numeric(p,s), money): a batch declared DECIMAL
  // exports it as decimal128. Otherwise (numeric without precision, whose scale varies per value) the text
  // travels as it is, so a column already widened to VARCHAR keeps PostgreSQL's digits.
  bool fixed_scale = false;
};

struct FieldSpec {
  std::string name;  // exact source column name
  types::ColumnType type;
  Encoding encoding = Encoding::kString;
  bool optional = true;
  std::optional<std::string>
      default_sql;              // SQL literal of a constant column default, when the schema has one
  std::int32_t bit_length = 0;  // kBits only
  // kConnectDecimal only: the schema's `scale` parameter. It is also needed when the column is VARCHAR
  // (precision > 38 or a negative scale), where ColumnType carries no scale.
  std::int32_t decimal_scale = 0;
  std::shared_ptr<const FieldSpec> element;  // kArray only
  // Set when the cells are exact decimal text (`type` is VARCHAR, the text travels as it is): each batch
  // declares the column DECIMAL(precision, scale) when every value in it fits, else VARCHAR, so a value
  // that does not fit widens the DuckDB column to exact text instead of stopping the table. Used for
  // io.debezium.data.VariableScaleDecimal (numeric without precision: 38,18). An array's element may
  // carry it; the array then declares DECIMAL(p,s)[] or VARCHAR[].
  std::optional<DecimalFit> decimal_fit;
};

struct TableSchema {
  std::vector<FieldSpec> fields;         // value columns, in source order
  std::vector<std::size_t> key_indexes;  // positions in `fields` of the key columns (empty: no key)
  std::uint64_t fingerprint = 0;         // hash of the schema texts; equal fingerprints = same schema
};

}  // namespace cdc::decode
