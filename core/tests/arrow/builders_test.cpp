// Each builder appends cells and finishes into an array with the layout the Arrow format specifies.
#include <gtest/gtest.h>

#include <limits>

#include "cdc/arrow/column_builder.hpp"
#include "contains.hpp"
#include "support/arrow_read.hpp"
#include "support/events.hpp"

namespace cdc::arrow {
namespace {

using namespace cdc::test;  // NOLINT(google-build-using-namespace)
using types::Kind;

// Builds one array from `cells` and exports it into `out`.
void build(const types::ColumnType& type, const types::CellList& cells, OwnedArray& out) {
  std::unique_ptr<ColumnBuilder> builder = make_builder(type);
  for (const types::Cell& cell : cells) ASSERT_TRUE(builder->append(cell).is_ok()) << "cell " << &cell;
  export_array(builder->finish(), &out.array);
}

template <typename T>
void expect_fixed(const types::ColumnType& type, const types::Cell& value, T expected) {
  OwnedArray out;
  build(type, {value, null_cell(), toast()}, out);
  const ArrowArray& array = out.array;
  ASSERT_EQ(array.length, 3);
  EXPECT_EQ(array.null_count, 2);
  EXPECT_EQ(array.n_buffers, 2);
  EXPECT_EQ(array.n_children, 0);
  EXPECT_EQ(array.offset, 0);
  EXPECT_TRUE(is_valid(array, 0));
  EXPECT_FALSE(is_valid(array, 1));
  EXPECT_FALSE(is_valid(array, 2));  // the placeholder is a null slot (its mask lives elsewhere)
  EXPECT_EQ(value_at<T>(array, 0), expected);
}

TEST(BuildersTest, FixedWidthTypes) {
  expect_fixed<std::int16_t>(type_of(Kind::kInt16), int_cell(-32768), -32768);
  expect_fixed<std::int32_t>(type_of(Kind::kInt32), int_cell(2147483647), 2147483647);
  expect_fixed<std::int64_t>(type_of(Kind::kInt64), int_cell(std::numeric_limits<std::int64_t>::min()),
                             std::numeric_limits<std::int64_t>::min());
  expect_fixed<float>(type_of(Kind::kFloat32), real(1.5), 1.5F);
  expect_fixed<double>(type_of(Kind::kFloat64), real(-2.25), -2.25);
  expect_fixed<double>(type_of(Kind::kFloat64), int_cell(3), 3.0);  // JSON may spell 3.0 as 3
  expect_fixed<std::int32_t>(type_of(Kind::kDate), int_cell(17702), 17702);
  expect_fixed<std::int64_t>(type_of(Kind::kTime), int_cell(86'400'000'000), 86'400'000'000);
  expect_fixed<std::int64_t>(type_of(Kind::kTimestamp), int_cell(1529507596945104), 1529507596945104);
  expect_fixed<std::int64_t>(type_of(Kind::kTimestampTz), int_cell(-1), -1);
  const types::Int128 big = -(types::Int128(1) << 100);
  expect_fixed<types::Int128>(decimal_type(38, 2), decimal(big), big);
  expect_fixed<types::Int128>(decimal_type(10, 2), int_cell(-150), -150);
}

TEST(BuildersTest, IntervalIsMonthDayNano) {
  OwnedArray out;
  build(type_of(Kind::kInterval), {interval(14, 3, 4'000'000'001), null_cell()}, out);
  ASSERT_EQ(out.array.length, 2);
  EXPECT_EQ(out.array.null_count, 1);
  const auto* raw = static_cast<const std::uint8_t*>(out.array.buffers[1]);
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::int64_t nanos = 0;
  std::memcpy(&months, raw, 4);
  std::memcpy(&days, raw + 4, 4);
  std::memcpy(&nanos, raw + 8, 8);
  EXPECT_EQ(months, 14);
  EXPECT_EQ(days, 3);
  EXPECT_EQ(nanos, 4'000'000'001);
}

TEST(BuildersTest, BooleansAreBitPacked) {
  OwnedArray out;
  types::CellList cells;
  for (int i = 0; i < 10; ++i) cells.push_back(i == 4 ? null_cell() : boolean(i % 3 == 0));
  build(type_of(Kind::kBoolean), cells, out);
  ASSERT_EQ(out.array.length, 10);
  EXPECT_EQ(out.array.null_count, 1);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(is_valid(out.array, i), i != 4) << i;
    if (i != 4) {
      EXPECT_EQ(bit_at(out.array.buffers[1], i), i % 3 == 0) << i;
    }
  }
}

TEST(BuildersTest, NoNullsMeansNoValidityBitmap) {
  OwnedArray out;
  build(type_of(Kind::kInt64), {int_cell(1), int_cell(2)}, out);
  EXPECT_EQ(out.array.null_count, 0);
  EXPECT_EQ(out.array.buffers[0], nullptr);
}

TEST(BuildersTest, Utf8AndBinaryUseInt32Offsets) {
  for (Kind kind : {Kind::kVarchar, Kind::kJson, Kind::kUuid, Kind::kBit, Kind::kTimeTz, Kind::kBlob}) {
    OwnedArray out;
    build(type_of(kind), {text("héllo"), null_cell(), text(""), text(std::string("a\0b", 3))}, out);
    const ArrowArray& array = out.array;
    ASSERT_EQ(array.length, 4);
    EXPECT_EQ(array.n_buffers, 3);
    EXPECT_EQ(array.null_count, 1);
    EXPECT_EQ(offset_at(array, 0), 0);
    EXPECT_EQ(string_at(array, 0), "héllo");
    EXPECT_FALSE(is_valid(array, 1));
    EXPECT_EQ(offset_at(array, 1), offset_at(array, 2));  // a null takes no bytes
    EXPECT_EQ(string_at(array, 2), "");
    EXPECT_EQ(string_at(array, 3), std::string("a\0b", 3));
  }
}

TEST(BuildersTest, ListsWithNullListsAndNullElements) {
  OwnedArray out;
  build(list_of(type_of(Kind::kInt32)),
        {list({int_cell(1), null_cell(), int_cell(3)}), null_cell(), list({}), list({int_cell(4)})}, out);
  const ArrowArray& array = out.array;
  ASSERT_EQ(array.length, 4);
  EXPECT_EQ(array.null_count, 1);
  ASSERT_EQ(array.n_buffers, 2);
  ASSERT_EQ(array.n_children, 1);
  EXPECT_EQ(offset_at(array, 0), 0);
  EXPECT_EQ(offset_at(array, 1), 3);
  EXPECT_EQ(offset_at(array, 2), 3);  // the null list
  EXPECT_EQ(offset_at(array, 3), 3);  // the empty list
  EXPECT_EQ(offset_at(array, 4), 4);
  EXPECT_FALSE(is_valid(array, 1));
  EXPECT_TRUE(is_valid(array, 2));
  const ArrowArray& items = *array.children[0];
  ASSERT_EQ(items.length, 4);
  EXPECT_EQ(items.null_count, 1);
  EXPECT_EQ(value_at<std::int32_t>(items, 0), 1);
  EXPECT_FALSE(is_valid(items, 1));
  EXPECT_EQ(value_at<std::int32_t>(items, 3), 4);
}

TEST(BuildersTest, ListsOfTextAndNestedLists) {
  OwnedArray out;
  build(list_of(list_of(type_of(Kind::kVarchar))), {list({list({text("a"), null_cell()}), null_cell()})},
        out);
  ASSERT_EQ(out.array.n_children, 1);
  const ArrowArray& inner = *out.array.children[0];
  ASSERT_EQ(inner.length, 2);
  EXPECT_FALSE(is_valid(inner, 1));
  const ArrowArray& texts = *inner.children[0];
  ASSERT_EQ(texts.length, 2);
  EXPECT_EQ(string_at(texts, 0), "a");
  EXPECT_FALSE(is_valid(texts, 1));
}

TEST(BuildersTest, WrongKindIsADecodeErrorSayingWhatCame) {
  std::unique_ptr<ColumnBuilder> builder = make_builder(type_of(Kind::kInt16));
  Status status = builder->append(int_cell(70000));
  EXPECT_EQ(status.code(), StatusCode::kDecodeError);
  EXPECT_TRUE(contains(status.message(), "expected a SMALLINT value, got the integer 70000"));
  EXPECT_EQ(builder->length(), 0);

  EXPECT_TRUE(contains(make_builder(type_of(Kind::kVarchar))->append(int_cell(1)).message(), "VARCHAR"));
  EXPECT_TRUE(contains(make_builder(list_of(type_of(Kind::kInt64)))->append(list({text("x")})).message(),
                       "list element"));
}

TEST(BuildersTest, FinishResetsForTheNextChunk) {
  std::unique_ptr<ColumnBuilder> builder = make_builder(type_of(Kind::kVarchar));
  ASSERT_TRUE(builder->append(text("first")).is_ok());
  std::shared_ptr<const ArrayData> first = builder->finish();
  ASSERT_TRUE(builder->append(text("second")).is_ok());
  OwnedArray out;
  export_array(builder->finish(), &out.array);
  ASSERT_EQ(out.array.length, 1);
  EXPECT_EQ(string_at(out.array, 0), "second");
  EXPECT_EQ(first->length, 1);
}

TEST(BuildersTest, EmptyArraysExportReadableBuffers) {
  for (const types::ColumnType& type :
       {type_of(Kind::kInt64), type_of(Kind::kVarchar), list_of(type_of(Kind::kInt16))}) {
    OwnedArray out;
    export_array(make_builder(type)->finish(), &out.array);
    EXPECT_EQ(out.array.length, 0);
    EXPECT_EQ(out.array.buffers[0], nullptr);
    EXPECT_NE(out.array.buffers[1], nullptr);
    EXPECT_EQ(offset_at(out.array, 0), 0);
  }
}

TEST(BuildersTest, AppendCellsPicksOneCellPerRow) {
  const types::Row first{int_cell(1), text("a")};
  const types::Row second{int_cell(2), null_cell()};
  const types::Row* rows[] = {&first, &second};
  std::unique_ptr<ColumnBuilder> builder = make_builder(type_of(Kind::kVarchar));
  ASSERT_TRUE(builder->append_cells(rows, 1).is_ok());
  OwnedArray out;
  export_array(builder->finish(), &out.array);
  EXPECT_EQ(out.array.length, 2);
  EXPECT_EQ(string_at(out.array, 0), "a");
  EXPECT_FALSE(is_valid(out.array, 1));
}

TEST(BuildersTest, UnavailableMaskIsNonNullBooleans) {
  const types::Row first{int_cell(1), toast()};
  const types::Row second{int_cell(2), text("b")};
  const types::Row* rows[] = {&first, &second};
  OwnedArray out;
  export_array(unavailable_mask(rows, 1), &out.array);
  EXPECT_EQ(out.array.length, 2);
  EXPECT_EQ(out.array.null_count, 0);
  EXPECT_EQ(out.array.buffers[0], nullptr);
  EXPECT_TRUE(bit_at(out.array.buffers[1], 0));
  EXPECT_FALSE(bit_at(out.array.buffers[1], 1));
}

}  // namespace
}  // namespace cdc::arrow
