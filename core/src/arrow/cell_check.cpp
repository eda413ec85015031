#include "cdc/arrow/cell_check.hpp"

#include "cell_convert.hpp"

namespace cdc::arrow {

namespace {

using types::Kind;

// The value's kind and range, for a cell that is not NULL or the placeholder.
bool accepts(const types::ColumnType& type, const types::Cell& cell) {
  using namespace detail;  // NOLINT(google-build-using-namespace)
  switch (type.kind) {
    case Kind::kBoolean: {
      bool value = false;
      return to_bool(cell, &value);
    }
    case Kind::kInt16: {
      std::int16_t value = 0;
      return to_integer(cell, &value);
    }
    case Kind::kInt32:
    case Kind::kDate: {
      std::int32_t value = 0;
      return to_integer(cell, &value);
    }
    case Kind::kInt64:
    case Kind::kTime:
    case Kind::kTimestamp:
    case Kind::kTimestampTz: {
      std::int64_t value = 0;
      return to_integer(cell, &value);
    }
    case Kind::kFloat32:
    case Kind::kFloat64: {
      double value = 0;
      return to_float(cell, &value);
    }
    case Kind::kDecimal: {
      types::Int128 value = 0;
      return to_decimal(cell, &value) && decimal_fits(value, type.precision);
    }
    case Kind::kInterval: {
      MonthDayNano value{};
      return to_interval(cell, &value);
    }
    case Kind::kList:
      return as_list(cell) != nullptr;
    case Kind::kVarchar:
    case Kind::kJson:
    case Kind::kUuid:
    case Kind::kBlob:
    case Kind::kBit:
    case Kind::kTimeTz:
      break;
  }
  return as_string(cell) != nullptr;
}

Status check(const types::ColumnType& type, const types::Cell& cell, bool placeholder_allowed) {
  if (cell.is_null()) return Status::ok();
  if (cell.is_unavailable()) {
    if (placeholder_allowed) return Status::ok();
    return Status::decode_error("the unchanged-TOAST placeholder inside a list");
  }
  if (!accepts(type, cell)) {
    return Status::decode_error("expected a " + type.duck_type() + " value, got " + detail::describe(cell));
  }
  if (type.kind != Kind::kList) return Status::ok();
  static const types::ColumnType kText{};
  const types::ColumnType& element = type.element ? *type.element : kText;
  for (const types::Cell& item : *detail::as_list(cell)) {
    CDC_RETURN_IF_ERROR(check(element, item, /*placeholder_allowed=*/false));
  }
  return Status::ok();
}

}  // namespace

Status check_cell(const types::ColumnType& type, const types::Cell& cell) {
  return check(type, cell, /*placeholder_allowed=*/true);
}

}  // namespace cdc::arrow
