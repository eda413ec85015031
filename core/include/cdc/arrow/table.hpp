// A finished Arrow table: one schema and the record batches (chunks) holding its rows, exported as struct
// arrays ("+s") or as an ArrowArrayStream. Immutable and shared: every export holds a reference.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "cdc/arrow/array_data.hpp"
#include "cdc/arrow/c_abi.hpp"
#include "cdc/arrow/field.hpp"

namespace cdc::arrow {

struct RecordBatch {
  std::int64_t length = 0;
  std::vector<std::shared_ptr<const ArrayData>> columns;  // one per child of Table::schema
};

struct Table {
  Field schema;  // struct_of(columns)
  std::vector<RecordBatch> batches;

  [[nodiscard]] std::int64_t num_rows() const noexcept;
};

// Fills `out` with the batch as a non-null struct array sharing its columns; the caller must release it.
void export_batch(const RecordBatch& batch, ArrowArray* out);

// Fills `out` with a stream yielding the table's schema and then its batches in order. The stream shares
// the table, so it may outlive every other reference; the caller must release it.
void export_stream(std::shared_ptr<const Table> table, ArrowArrayStream* out);

}  // namespace cdc::arrow
