// The Arrow type of a column (format string, name, nullability, children), the mapping from our ColumnType
// to it, and its export as an ArrowSchema.
//
// The format of each Kind is a column of types/kind_table.hpp (mirrored by the table in
// src/cdc_pipeline/sink/batch.py; the target casts utf8 to JSON/UUID/TIMETZ/BIT). DECIMAL(p,s) is
// "d:p,s", T[] is "+l" with one child "item".
#pragma once

#include <string>
#include <vector>

#include "cdc/arrow/c_abi.hpp"
#include "cdc/types/column_type.hpp"

namespace cdc::arrow {

struct Field {
  std::string name{};
  std::string format{};
  bool nullable = true;
  std::vector<Field> children{};
};

// The Arrow format string for a column type (a list's element is described by its child field).
std::string format_for(const types::ColumnType& type);

// A nullable field of that type, with the "item" child for lists.
Field field_for(std::string name, const types::ColumnType& type);

// The non-nullable struct ("+s") whose children are `columns`: the schema of a record batch.
Field struct_of(std::vector<Field> columns);

// Fills `out` with an ArrowSchema owning copies of the field's strings; the caller must release it.
void export_schema(const Field& field, ArrowSchema* out);

}  // namespace cdc::arrow
