// Rows (vectors of Cells) to an Arrow table: the value columns picked from the rows, plus the boolean
// `__cdc_unavailable_<i>` mask columns, chunked into record batches.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "cdc/arrow/table.hpp"
#include "cdc/status.hpp"
#include "cdc/types/cell.hpp"
#include "cdc/types/column_type.hpp"

namespace cdc::arrow {

// Rows per record batch: DuckDB's row-group size, so each chunk is one unit of its parallel scan.
inline constexpr std::size_t kChunkRows = 122'880;

// A value column: cell `cell` of each row, as an Arrow column of `type`.
struct ValueColumn {
  std::string name{};
  types::ColumnType type{};
  std::size_t cell = 0;
};

// A mask column: non-null booleans, true where cell `cell` of the row is the unchanged-TOAST placeholder.
struct MaskColumn {
  std::string name{};
  std::size_t cell = 0;
};

// One table with `values` then `masks` as its columns, in batches of at most `chunk_rows` rows (a table
// without rows has no batch). A cell that does not fit its column is a DecodeError naming the column;
// callers that ran check_cell() on every cell never see one.
Result<std::shared_ptr<const Table>> export_rows(std::span<const types::Row* const> rows,
                                                 std::span<const ValueColumn> values,
                                                 std::span<const MaskColumn> masks,
                                                 std::size_t chunk_rows = kChunkRows);

}  // namespace cdc::arrow
