// How a Cell becomes the value stored in an Arrow buffer (private to src/arrow): shared by the builders
// and by check_cell(), so "what a column accepts" is written once.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <variant>

#include "cdc/types/cell.hpp"
#include "cdc/types/column_type.hpp"

namespace cdc::arrow::detail {

using types::Cell;

// NULL and the TOAST placeholder both become a null slot (the exporter records the placeholder in its mask).
inline bool is_null_like(const Cell& cell) noexcept { return cell.is_null() || cell.is_unavailable(); }

template <typename Int>
bool to_integer(const Cell& cell, Int* out) noexcept {
  const auto* value = std::get_if<std::int64_t>(&cell.value);
  if (value == nullptr || *value < std::numeric_limits<Int>::min() ||
      *value > std::numeric_limits<Int>::max()) {
    return false;
  }
  *out = static_cast<Int>(*value);
  return true;
}

// Floats also accept integers: JSON may spell 1.0 as 1.
template <typename Float>
bool to_float(const Cell& cell, Float* out) noexcept {
  if (const auto* value = std::get_if<double>(&cell.value)) {
    *out = static_cast<Float>(*value);
    return true;
  }
  if (const auto* value = std::get_if<std::int64_t>(&cell.value)) {
    *out = static_cast<Float>(*value);
    return true;
  }
  return false;
}

inline bool to_bool(const Cell& cell, bool* out) noexcept {
  const auto* value = std::get_if<bool>(&cell.value);
  if (value == nullptr) return false;
  *out = *value;
  return true;
}

// The unscaled value; the column's precision is checked by check_cell (see decimal_fits).
inline bool to_decimal(const Cell& cell, types::Int128* out) noexcept {
  if (const auto* value = std::get_if<types::Int128>(&cell.value)) {
    *out = *value;
    return true;
  }
  if (const auto* value = std::get_if<std::int64_t>(&cell.value)) {
    *out = *value;
    return true;
  }
  return false;
}

// Arrow's month_day_nano layout: months, days, nanoseconds, little-endian, 16 bytes.
struct MonthDayNano {
  std::int32_t months;
  std::int32_t days;
  std::int64_t nanos;
};
static_assert(sizeof(MonthDayNano) == 16);

inline bool to_interval(const Cell& cell, MonthDayNano* out) noexcept {
  const auto* value = std::get_if<types::IntervalValue>(&cell.value);
  if (value == nullptr) return false;
  *out = MonthDayNano{value->months, value->days, value->nanos};
  return true;
}

inline const std::string* as_string(const Cell& cell) noexcept {
  return std::get_if<std::string>(&cell.value);
}

inline const types::CellList* as_list(const Cell& cell) noexcept {
  const auto* value = std::get_if<std::shared_ptr<const types::CellList>>(&cell.value);
  return value == nullptr ? nullptr : value->get();
}

// True when |unscaled| < 10^precision, i.e. the value fits DECIMAL(precision, s).
bool decimal_fits(types::Int128 unscaled, std::uint8_t precision) noexcept;

// What a cell holds, for error messages: "NULL", "an integer 70000", "a string", ...
std::string describe(const Cell& cell);

}  // namespace cdc::arrow::detail
