// The Arrow half of the type table (private to src/arrow): per types::Layout, the builder that writes a
// column of that layout and the check of one cell against it. types/kind_table.hpp gives every Kind its
// layout; make_builder() and check_cell() look both up here.
#pragma once

#include <array>
#include <cstddef>
#include <memory>

#include "cdc/arrow/column_builder.hpp"
#include "cdc/types/cell.hpp"
#include "cdc/types/column_type.hpp"
#include "cdc/types/kind_table.hpp"

namespace cdc::arrow::detail {

struct LayoutOps {
  types::Layout layout;
  std::unique_ptr<ColumnBuilder> (*make)(const types::ColumnType& type);
  // Whether a cell that is neither NULL nor the placeholder fits a column of `type` (a list's elements
  // are for the caller to check against the element type).
  bool (*accepts)(const types::ColumnType& type, const types::Cell& cell) noexcept;
};

// One row per Layout, in Layout order (layout_table.cpp checks it at compile time).
extern const std::array<LayoutOps, types::kLayoutCount> kLayoutTable;

inline const LayoutOps& layout_ops(types::Kind kind) noexcept {
  return kLayoutTable[static_cast<std::size_t>(types::kind_spec(kind).layout)];
}

}  // namespace cdc::arrow::detail
