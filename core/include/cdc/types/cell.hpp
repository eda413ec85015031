// One decoded value. Numbers and times are already in the unit the column's Kind names (days, microseconds,
// unscaled decimal), so building Arrow arrays from cells needs no further parsing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace cdc::types {

struct Cell;
using CellList = std::vector<Cell>;

// Debezium's unchanged-TOAST placeholder, in whichever per-type form it arrived: the value was not sent, and
// the one already in the target must be kept.
struct Unavailable {
  friend bool operator==(Unavailable, Unavailable) = default;
};

struct IntervalValue {
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::int64_t nanos = 0;
  friend bool operator==(const IntervalValue&, const IntervalValue&) = default;
};

using Int128 = __int128;

struct Cell {
  // monostate = SQL NULL. int64 holds every integer kind, dates (days) and times/timestamps (µs); Int128
  // holds an unscaled decimal; std::string holds text and bytes; a list holds its elements.
  std::variant<std::monostate, Unavailable, bool, std::int64_t, double, Int128, std::string, IntervalValue,
               std::shared_ptr<const CellList>>
      value;

  [[nodiscard]] bool is_null() const noexcept { return std::holds_alternative<std::monostate>(value); }
  [[nodiscard]] bool is_unavailable() const noexcept { return std::holds_alternative<Unavailable>(value); }
  friend bool operator==(const Cell& a, const Cell& b);
};

using Row = std::vector<Cell>;

}  // namespace cdc::types
