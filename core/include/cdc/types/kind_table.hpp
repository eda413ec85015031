// The one table of the type vocabulary: for every Kind, its DuckDB spelling, its Arrow format and its Arrow
// layout, one row per Kind in Kind order (checked below at compile time). ColumnType::duck_type(),
// arrow::format_for(), arrow::make_builder() and arrow::check_cell() are look-ups into it.
//
// Why the builder and the cell check are named here by a Layout and not held as function pointers: types/
// sits below arrow/ (arrow/ includes types/, never the reverse; decode/ and the DuckDB-facing code spell
// types without any Arrow code). The Arrow format is only text, so it is a column of this table; the
// builder and the check are Arrow code, so this table names the layout and arrow/layout_table.cpp holds,
// per Layout, the builder factory and the check, both taken from the builder class so that what a column
// accepts is the builder's own conversion. A new Kind is one row here; a new layout is one row there.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cdc/types/column_type.hpp"

namespace cdc::types {

// How an Arrow column stores a value: which builder writes it and which cells it accepts. Kinds that differ
// only in their Arrow format (a BIGINT and a TIMESTAMP are both int64 slots) share a layout.
enum class Layout : std::uint8_t {
  kBitmap,        // boolean, bit-packed
  kInt16,         // integers that fit the width
  kInt32,         //   (date32: days)
  kInt64,         //   (time64, timestamp: microseconds)
  kFloat32,       // floats, and integers (JSON may spell 1.0 as 1)
  kFloat64,       //
  kDecimal128,    // the unscaled value, within the column's precision
  kMonthDayNano,  // interval
  kBytes,         // utf8 or binary: int32 offsets and the bytes
  kList,          // int32 offsets into the element type's column
};
inline constexpr std::size_t kLayoutCount = static_cast<std::size_t>(Layout::kList) + 1;

struct KindSpec {
  Kind kind;
  // DuckDB's spelling. The parameterised kinds are spelled by ColumnType::duck_type(): DECIMAL as
  // "DECIMAL(p,s)", a list as its element's spelling followed by this row's "[]".
  std::string_view duck_type;
  // The Arrow C data interface format. DECIMAL appends "p,s"; a list's element is its child field "item".
  // Text kinds DuckDB has no Arrow type for (JSON, UUID, BIT, TIMETZ) travel as utf8; the target casts them.
  std::string_view arrow_format;
  Layout layout;
};

inline constexpr std::size_t kKindCount = static_cast<std::size_t>(Kind::kList) + 1;

inline constexpr std::array<KindSpec, kKindCount> kKindTable{{
    {Kind::kBoolean, "BOOLEAN", "b", Layout::kBitmap},
    {Kind::kInt16, "SMALLINT", "s", Layout::kInt16},
    {Kind::kInt32, "INTEGER", "i", Layout::kInt32},
    {Kind::kInt64, "BIGINT", "l", Layout::kInt64},
    {Kind::kFloat32, "REAL", "f", Layout::kFloat32},
    {Kind::kFloat64, "DOUBLE", "g", Layout::kFloat64},
    {Kind::kDecimal, "DECIMAL", "d:", Layout::kDecimal128},
    {Kind::kVarchar, "VARCHAR", "u", Layout::kBytes},
    {Kind::kJson, "JSON", "u", Layout::kBytes},
    {Kind::kUuid, "UUID", "u", Layout::kBytes},
    {Kind::kBlob, "BLOB", "z", Layout::kBytes},
    {Kind::kBit, "BIT", "u", Layout::kBytes},
    {Kind::kDate, "DATE", "tdD", Layout::kInt32},
    {Kind::kTime, "TIME", "ttu", Layout::kInt64},
    {Kind::kTimeTz, "TIMETZ", "u", Layout::kBytes},
    {Kind::kTimestamp, "TIMESTAMP", "tsu:", Layout::kInt64},
    {Kind::kTimestampTz, "TIMESTAMPTZ", "tsu:UTC", Layout::kInt64},
    {Kind::kInterval, "INTERVAL", "tin", Layout::kMonthDayNano},
    {Kind::kList, "[]", "+l", Layout::kList},
}};

// Row i describes Kind i: a missing row would be value-initialised (kBoolean) and fail this, an extra one
// does not compile.
constexpr bool rows_in_kind_order() {
  for (std::size_t i = 0; i < kKindTable.size(); ++i) {
    if (kKindTable[i].kind != static_cast<Kind>(i) || kKindTable[i].duck_type.empty()) return false;
  }
  return true;
}
static_assert(rows_in_kind_order(), "kKindTable needs one row per Kind, in Kind order");

// The row of `kind`. A value outside the enum (only a bug can make one) reads the VARCHAR row, the type
// every value can become, as the switches this table replaced did.
constexpr const KindSpec& kind_spec(Kind kind) noexcept {
  const auto index = static_cast<std::size_t>(kind);
  return kKindTable[index < kKindCount ? index : static_cast<std::size_t>(Kind::kVarchar)];
}

}  // namespace cdc::types
