// Builders that append Cells into one Arrow column and finish into an ArrayData (the Arrow C++ idiom:
// append, append, ..., finish). One builder per Arrow layout, chosen by make_builder() from the column type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "cdc/arrow/array_data.hpp"
#include "cdc/status.hpp"
#include "cdc/types/cell.hpp"
#include "cdc/types/column_type.hpp"

namespace cdc::arrow {

class ColumnBuilder {
 public:
  ColumnBuilder() = default;
  virtual ~ColumnBuilder() = default;
  ColumnBuilder(const ColumnBuilder&) = delete;
  ColumnBuilder& operator=(const ColumnBuilder&) = delete;
  ColumnBuilder(ColumnBuilder&&) = delete;
  ColumnBuilder& operator=(ColumnBuilder&&) = delete;

  // Appends one value. NULL and the unchanged-TOAST placeholder append a null (the exporter records the
  // placeholder in a mask column). A cell of the wrong kind, or out of the column's range, is a DecodeError
  // saying what was expected and what came; the builder is then unusable until finish().
  virtual Status append(const types::Cell& cell) = 0;

  // Appends cell `index` of every row: the export's hot loop (one virtual call per column and chunk).
  virtual Status append_cells(std::span<const types::Row* const> rows, std::size_t index) = 0;

  virtual void reserve(std::size_t rows) = 0;
  [[nodiscard]] virtual std::int64_t length() const noexcept = 0;

  // The array of everything appended since the last finish(); the builder starts empty again.
  virtual std::shared_ptr<const ArrayData> finish() = 0;
};

// A builder for columns of `type` (the Arrow type is arrow::format_for(type)).
std::unique_ptr<ColumnBuilder> make_builder(const types::ColumnType& type);

// A non-null boolean array, true where cell `index` of the row is the unchanged-TOAST placeholder: the
// `__cdc_unavailable_<i>` mask column of that cell's column.
std::shared_ptr<const ArrayData> unavailable_mask(std::span<const types::Row* const> rows, std::size_t index);

}  // namespace cdc::arrow
