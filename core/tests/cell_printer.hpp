// Readable gtest output for Cells and rows (test helper).
#pragma once

#include <ostream>
#include <string>

#include "cdc/types/cell.hpp"
#include "cdc/types/decimal.hpp"

namespace cdc::types {

inline std::string describe(const Cell& cell) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(Unavailable) const { return "UNAVAILABLE"; }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(std::int64_t v) const { return "int64 " + std::to_string(v); }
    std::string operator()(double v) const { return "double " + std::to_string(v); }
    std::string operator()(Int128 v) const { return "int128 " + decimal_text(v, 0); }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const IntervalValue& v) const {
      return "interval{" + std::to_string(v.months) + "," + std::to_string(v.days) + "," +
             std::to_string(v.nanos) + "}";
    }
    std::string operator()(const std::shared_ptr<const CellList>& list) const {
      if (!list) return "list(null)";
      std::string text = "[";
      for (const Cell& item : *list) text += describe(item) + ", ";
      return text + "]";
    }
  };
  return std::visit(Visitor{}, cell.value);
}

inline void PrintTo(const Cell& cell, std::ostream* out) { *out << describe(cell); }

}  // namespace cdc::types

namespace cdc::test {

using types::Cell;

inline Cell null_cell() { return Cell{}; }
inline Cell unavailable() { return Cell{types::Unavailable{}}; }
inline Cell int_cell(std::int64_t v) { return Cell{v}; }
inline Cell text_cell(std::string v) { return Cell{std::move(v)}; }
inline Cell decimal_cell(types::Int128 v) { return Cell{v}; }
inline Cell interval_cell(std::int32_t months, std::int32_t days, std::int64_t nanos) {
  return Cell{types::IntervalValue{months, days, nanos}};
}
inline Cell list_cell(types::CellList items) {
  return Cell{std::make_shared<const types::CellList>(std::move(items))};
}

}  // namespace cdc::test
