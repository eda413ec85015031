#include "cdc/pipeline/table_export.hpp"

#include <algorithm>
#include <vector>

#include "cdc/arrow/row_export.hpp"
#include "cdc/types/decimal.hpp"

namespace cdc::pipeline {

namespace {

// Every exact-decimal-text value among `cells` (lists: their elements) fits DECIMAL(fit).
bool all_fit(const types::Cell& cell, const decode::DecimalFit& fit) {
  if (const auto* text = std::get_if<std::string>(&cell.value)) {
    return types::decimal_text_fits(*text, fit.precision, fit.scale);
  }
  if (const auto* list = std::get_if<std::shared_ptr<const types::CellList>>(&cell.value)) {
    return std::all_of((*list)->begin(), (*list)->end(),
                       [&](const types::Cell& item) { return all_fit(item, fit); });
  }
  return true;  // NULL, the placeholder
}

// The column's type in this batch: its schema's, except for exact decimal text (FieldSpec::decimal_fit),
// DECIMAL(p,s) when every value of the batch fits (the text is then exported as decimal128), else VARCHAR
// (arrays: of the element's).
types::ColumnType declared_type(const decode::FieldSpec& field, const std::vector<const types::Row*>& rows,
                                std::size_t index) {
  const decode::FieldSpec* decimal = field.decimal_fit ? &field : nullptr;
  if (decimal == nullptr && field.element && field.element->decimal_fit) decimal = field.element.get();
  if (decimal == nullptr) return field.type;
  const decode::DecimalFit& fit = *decimal->decimal_fit;
  const bool fits = std::all_of(rows.begin(), rows.end(), [&](const types::Row* row) {
    return index >= row->size() || all_fit((*row)[index], fit);
  });
  types::ColumnType type;  // VARCHAR
  if (fits) {
    type.kind = types::Kind::kDecimal;
    type.precision = fit.precision;
    type.scale = fit.scale;
  }
  if (decimal == &field) return type;
  types::ColumnType list;
  list.kind = types::Kind::kList;
  list.element = std::make_shared<const types::ColumnType>(type);
  return list;
}

// The Arrow type of the column in this batch: the declared type for fixed-scale decimal text (exported as
// decimal128), else the schema's (text travels as text).
types::ColumnType export_type(const decode::FieldSpec& field, const std::vector<const types::Row*>& rows,
                              std::size_t index) {
  const decode::FieldSpec& decimal = field.element && !field.decimal_fit ? *field.element : field;
  if (!decimal.decimal_fit || !decimal.decimal_fit->fixed_scale) return field.type;
  return declared_type(field, rows, index);
}

std::vector<Column> describe_columns(const decode::TableSchema& schema,
                                     const std::vector<const types::Row*>& rows) {
  std::vector<Column> columns;
  columns.reserve(schema.fields.size());
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    const decode::FieldSpec& field = schema.fields[i];
    const bool key =
        std::find(schema.key_indexes.begin(), schema.key_indexes.end(), i) != schema.key_indexes.end();
    columns.push_back(Column{.name = field.name,
                             .duck_type = declared_type(field, rows, i).duck_type(),
                             .nullable = field.optional,
                             .default_sql = field.default_sql,
                             .key = key});
  }
  return columns;
}

bool any_unavailable(const std::vector<const types::Row*>& rows, std::size_t index) {
  return std::any_of(rows.begin(), rows.end(), [index](const types::Row* row) {
    return index < row->size() && (*row)[index].is_unavailable();
  });
}

Result<std::shared_ptr<const arrow::Table>> export_upserts(const decode::TableSchema& schema,
                                                           const std::vector<const types::Row*>& rows,
                                                           std::vector<std::string>& unavailable) {
  std::vector<arrow::ValueColumn> values;
  std::vector<arrow::MaskColumn> masks;
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    values.push_back(arrow::ValueColumn{
        .name = schema.fields[i].name, .type = export_type(schema.fields[i], rows, i), .cell = i});
    if (any_unavailable(rows, i)) {
      masks.push_back(arrow::MaskColumn{.name = unavailable_mask_name(i), .cell = i});
      unavailable.push_back(schema.fields[i].name);
    }
  }
  return arrow::export_rows(rows, values, masks);
}

Result<std::shared_ptr<const arrow::Table>> export_deletes(const decode::TableSchema& schema,
                                                           const std::vector<const types::Row*>& rows) {
  std::vector<arrow::ValueColumn> values;
  if (schema.key_indexes.empty()) {  // full before-images
    for (std::size_t i = 0; i < schema.fields.size(); ++i) {
      values.push_back(
          arrow::ValueColumn{.name = schema.fields[i].name, .type = schema.fields[i].type, .cell = i});
    }
  } else {  // the rows hold the key cells, in key order
    for (std::size_t j = 0; j < schema.key_indexes.size(); ++j) {
      const decode::FieldSpec& field = schema.fields[schema.key_indexes[j]];
      values.push_back(arrow::ValueColumn{.name = field.name, .type = field.type, .cell = j});
    }
  }
  return arrow::export_rows(rows, values, {});
}

}  // namespace

std::string unavailable_mask_name(std::size_t index) { return "__cdc_unavailable_" + std::to_string(index); }

Result<TableBatch> export_table(const buffer::TableBuffer& buffer) {
  TableBatch batch;
  batch.topic = buffer.topic();
  batch.source_schema = buffer.source_schema();
  batch.source_table = buffer.source_table();
  batch.truncate = buffer.truncated();
  batch.snapshot_started = buffer.snapshot_started();
  batch.last_lsn = buffer.last_lsn();
  batch.last_source_ts_ms = buffer.last_source_ts_ms();
  batch.counts = buffer.counts();
  if (buffer.last_position()) {
    batch.last_commit_lsn = buffer.last_position()->commit_lsn;
    batch.last_event_lsn = buffer.last_position()->lsn;
  }
  batch.last_tx_id = buffer.last_tx_id();
  if (buffer.schema() == nullptr) return batch;  // a truncate alone: nothing to describe or export
  const decode::TableSchema& schema = *buffer.schema();
  const std::vector<const types::Row*> upserts = buffer.upserts();
  batch.columns = describe_columns(schema, upserts);
  for (std::size_t index : schema.key_indexes) batch.key_columns.push_back(schema.fields[index].name);
  batch.schema_fingerprint = pipeline::schema_fingerprint(batch.columns, batch.key_columns);

  if (!upserts.empty()) {
    CDC_ASSIGN_OR_RETURN(batch.upserts, export_upserts(schema, upserts, batch.unavailable));
  }
  const std::vector<const types::Row*> deletes = buffer.deletes();
  if (!deletes.empty()) {
    CDC_ASSIGN_OR_RETURN(batch.deletes, export_deletes(schema, deletes));
  }
  return batch;
}

}  // namespace cdc::pipeline
