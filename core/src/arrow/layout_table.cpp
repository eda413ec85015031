#include "layout_table.hpp"

#include "builders.hpp"

namespace cdc::arrow::detail {

namespace {

using types::Layout;

template <typename Builder>
std::unique_ptr<ColumnBuilder> make(const types::ColumnType& type) {
  return std::make_unique<Builder>(type);
}

// The row of a layout: both columns come from its builder class, so the check is the builder's conversion.
template <typename Builder>
constexpr LayoutOps row(Layout layout) {
  return LayoutOps{.layout = layout, .make = &make<Builder>, .accepts = &Builder::accepts};
}

template <typename T, bool (*Convert)(const types::Cell&, T*) noexcept>
using Fixed = FixedWidthBuilder<T, Convert>;

}  // namespace

constexpr std::array<LayoutOps, types::kLayoutCount> kLayoutTable{{
    row<BooleanBuilder>(Layout::kBitmap),
    row<Fixed<std::int16_t, to_integer<std::int16_t>>>(Layout::kInt16),
    row<Fixed<std::int32_t, to_integer<std::int32_t>>>(Layout::kInt32),
    row<Fixed<std::int64_t, to_integer<std::int64_t>>>(Layout::kInt64),
    row<Fixed<float, to_float<float>>>(Layout::kFloat32),
    row<Fixed<double, to_float<double>>>(Layout::kFloat64),
    row<DecimalBuilder>(Layout::kDecimal128),
    row<Fixed<MonthDayNano, to_interval>>(Layout::kMonthDayNano),
    row<BinaryBuilder>(Layout::kBytes),
    row<ListBuilder>(Layout::kList),
}};

namespace {

// Row i is Layout i; a missing row would have no builder.
constexpr bool rows_in_layout_order() {
  for (std::size_t i = 0; i < kLayoutTable.size(); ++i) {
    if (kLayoutTable[i].layout != static_cast<Layout>(i) || kLayoutTable[i].make == nullptr) return false;
  }
  return true;
}
static_assert(rows_in_layout_order(), "kLayoutTable needs one row per Layout, in Layout order");

}  // namespace

}  // namespace cdc::arrow::detail
