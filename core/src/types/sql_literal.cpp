#include "cdc/types/sql_literal.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cdc/types/civil_time.hpp"
#include "cdc/types/decimal.hpp"
#include "cdc/types/kind_table.hpp"

namespace cdc::types {

namespace {

constexpr std::int64_t kTimestampInfinity = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kDateInfinity = std::numeric_limits<std::int32_t>::max();

// The type's keyword in a typed literal or a cast: its DuckDB spelling from the kind table.
std::string spelling(Kind kind) { return std::string(kind_spec(kind).duck_type); }

std::optional<std::string> temporal_literal(std::int64_t value, const ColumnType& type) {
  switch (type.kind) {
    case Kind::kDate: {
      const std::string keyword = spelling(type.kind) + " '";
      if (value == kDateInfinity) return keyword + "infinity'";
      if (value == -kDateInfinity) return keyword + "-infinity'";
      return keyword + format_date(value) + "'";
    }
    case Kind::kTime:
      return spelling(type.kind) + " '" + format_time(value) + "'";
    case Kind::kTimestamp:
    case Kind::kTimestampTz: {
      const std::string keyword = spelling(type.kind) + " '";
      if (value == kTimestampInfinity) return keyword + "infinity'";
      if (value == -kTimestampInfinity) return keyword + "-infinity'";
      return keyword + format_timestamp(value) + (type.kind == Kind::kTimestampTz ? "+00'" : "'");
    }
    default:
      return std::to_string(value);
  }
}

std::optional<std::string> double_literal(double value, const ColumnType& type) {
  const std::string cast =
      " AS " + spelling(type.kind == Kind::kFloat32 ? Kind::kFloat32 : Kind::kFloat64) + ")";
  if (std::isnan(value)) return "CAST('NaN'" + cast;
  if (std::isinf(value)) return std::string(value > 0 ? "CAST('Infinity'" : "CAST('-Infinity'") + cast;
  char text[64];
  std::to_chars_result written = type.kind == Kind::kFloat32
                                     ? std::to_chars(text, text + sizeof text, static_cast<float>(value))
                                     : std::to_chars(text, text + sizeof text, value);
  return std::string(text, written.ptr);
}

std::string blob_literal(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text = "'";
  for (char byte : bytes) {
    const auto b = static_cast<unsigned char>(byte);
    text += "\\x";
    text += kHex[b >> 4];
    text += kHex[b & 15];
  }
  return text + "'::" + spelling(Kind::kBlob);
}

std::optional<std::string> interval_literal(const IntervalValue& interval) {
  if (interval.nanos % 1000 != 0) return std::nullopt;
  return "INTERVAL '" + std::to_string(interval.months) + " months " + std::to_string(interval.days) +
         " days " + std::to_string(interval.nanos / 1000) + " microseconds'";
}

}  // namespace

std::string quote_sql_string(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

std::optional<std::string> sql_literal(const Cell& cell, const ColumnType& type) {
  const auto& value = cell.value;
  if (const bool* flag = std::get_if<bool>(&value)) return std::string(*flag ? "true" : "false");
  if (const std::int64_t* number = std::get_if<std::int64_t>(&value)) return temporal_literal(*number, type);
  if (const double* real = std::get_if<double>(&value)) return double_literal(*real, type);
  if (const Int128* unscaled = std::get_if<Int128>(&value)) return decimal_text(*unscaled, type.scale);
  if (const IntervalValue* interval = std::get_if<IntervalValue>(&value)) return interval_literal(*interval);
  if (const std::string* text = std::get_if<std::string>(&value)) {
    if (type.kind == Kind::kBlob) return blob_literal(*text);
    if (type.kind == Kind::kBit) return quote_sql_string(*text) + "::" + spelling(Kind::kBit);
    return quote_sql_string(*text);
  }
  return std::nullopt;  // NULL, the TOAST placeholder, lists
}

}  // namespace cdc::types
