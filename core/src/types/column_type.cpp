#include "cdc/types/column_type.hpp"

namespace cdc::types {

namespace {

const char* scalar_name(Kind kind) {
  switch (kind) {
    case Kind::kBoolean:
      return "BOOLEAN";
    case Kind::kInt16:
      return "SMALLINT";
    case Kind::kInt32:
      return "INTEGER";
    case Kind::kInt64:
      return "BIGINT";
    case Kind::kFloat32:
      return "REAL";
    case Kind::kFloat64:
      return "DOUBLE";
    case Kind::kDecimal:
      return "DECIMAL";
    case Kind::kVarchar:
      return "VARCHAR";
    case Kind::kJson:
      return "JSON";
    case Kind::kUuid:
      return "UUID";
    case Kind::kBlob:
      return "BLOB";
    case Kind::kBit:
      return "BIT";
    case Kind::kDate:
      return "DATE";
    case Kind::kTime:
      return "TIME";
    case Kind::kTimeTz:
      return "TIMETZ";
    case Kind::kTimestamp:
      return "TIMESTAMP";
    case Kind::kTimestampTz:
      return "TIMESTAMPTZ";
    case Kind::kInterval:
      return "INTERVAL";
    case Kind::kList:
      return "LIST";
  }
  return "VARCHAR";
}

}  // namespace

std::string ColumnType::duck_type() const {
  if (kind == Kind::kDecimal) {
    return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  }
  if (kind == Kind::kList) {
    // A list without an element type cannot be declared; VARCHAR[] is the lossless fallback.
    return (element ? element->duck_type() : std::string("VARCHAR")) + "[]";
  }
  return scalar_name(kind);
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
