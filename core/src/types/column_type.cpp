#include "cdc/types/column_type.hpp"

#include "cdc/types/kind_table.hpp"

namespace cdc::types {

std::string ColumnType::duck_type() const {
  std::string spelling(kind_spec(kind).duck_type);
  if (kind == Kind::kDecimal) {
    return spelling + "(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  if (kind == Kind::kList) {
    // A list without an element type cannot be declared; VARCHAR[] is the lossless fallback.
    return (element ? element->duck_type() : std::string(kind_spec(Kind::kVarchar).duck_type)) + spelling;
  }
  return spelling;
}

bool operator==(const ColumnType& a, const ColumnType& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::kDecimal) return a.precision == b.precision && a.scale == b.scale;
  if (a.kind == Kind::kList) {
    if (!a.element || !b.element) return a.element == b.element;
    return *a.element == *b.element;
  }
  return true;
}

}  // namespace cdc::types
