#include "cdc/arrow/row_export.hpp"

#include <algorithm>
#include <vector>

#include "cdc/arrow/column_builder.hpp"

namespace cdc::arrow {

namespace {

Field schema_of(std::span<const ValueColumn> values, std::span<const MaskColumn> masks) {
  std::vector<Field> fields;
  fields.reserve(values.size() + masks.size());
  for (const ValueColumn& column : values) fields.push_back(field_for(column.name, column.type));
  for (const MaskColumn& mask : masks) {
    fields.push_back(Field{.name = mask.name, .format = "b", .nullable = false, .children = {}});
  }
  return struct_of(std::move(fields));
}

}  // namespace

Result<std::shared_ptr<const Table>> export_rows(std::span<const types::Row* const> rows,
                                                 std::span<const ValueColumn> values,
                                                 std::span<const MaskColumn> masks, std::size_t chunk_rows) {
  auto table = std::make_shared<Table>();
  table->schema = schema_of(values, masks);
  if (chunk_rows == 0) chunk_rows = kChunkRows;

  std::vector<std::unique_ptr<ColumnBuilder>> builders;
  builders.reserve(values.size());
  for (const ValueColumn& column : values) builders.push_back(make_builder(column.type));

  for (std::size_t start = 0; start < rows.size(); start += chunk_rows) {
    const std::span<const types::Row* const> chunk =
        rows.subspan(start, std::min(chunk_rows, rows.size() - start));
    RecordBatch batch{.length = static_cast<std::int64_t>(chunk.size()), .columns = {}};
    batch.columns.reserve(values.size() + masks.size());
    // Column by column: each builder's loop stays hot in cache and branch predictors.
    for (std::size_t i = 0; i < values.size(); ++i) {
      builders[i]->reserve(chunk.size());
      Status status = builders[i]->append_cells(chunk, values[i].cell);
      if (!status.is_ok()) return status.with_context("column '" + values[i].name + "'");
      batch.columns.push_back(builders[i]->finish());
    }
    for (const MaskColumn& mask : masks) batch.columns.push_back(unavailable_mask(chunk, mask.cell));
    table->batches.push_back(std::move(batch));
  }
  return std::shared_ptr<const Table>(std::move(table));
}

}  // namespace cdc::arrow
