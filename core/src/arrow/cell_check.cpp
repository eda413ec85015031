#include "cdc/arrow/cell_check.hpp"

#include "cell_convert.hpp"
#include "layout_table.hpp"

namespace cdc::arrow {

namespace {

using types::Kind;

Status check(const types::ColumnType& type, const types::Cell& cell, bool placeholder_allowed) {
  if (cell.is_null()) return Status::ok();
  if (cell.is_unavailable()) {
    if (placeholder_allowed) return Status::ok();
    return Status::decode_error("the unchanged-TOAST placeholder inside a list");
  }
  // The kind's layout decides, by its builder's own conversion (layout_table.hpp).
  if (!detail::layout_ops(type.kind).accepts(type, cell)) {
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
