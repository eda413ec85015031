#include "cdc/arrow/cell_check.hpp"

#include <gtest/gtest.h>

#include "contains.hpp"
#include "support/events.hpp"

namespace cdc::arrow {
namespace {

using namespace cdc::test;  // NOLINT(google-build-using-namespace)
using types::Kind;

TEST(CellCheckTest, NullAndPlaceholderFitEveryColumn) {
  for (Kind kind :
       {Kind::kBoolean, Kind::kInt16, Kind::kDecimal, Kind::kVarchar, Kind::kInterval, Kind::kList}) {
    EXPECT_TRUE(check_cell(type_of(kind), null_cell()).is_ok());
    EXPECT_TRUE(check_cell(type_of(kind), toast()).is_ok());
  }
}

TEST(CellCheckTest, IntegersMustFitTheirWidth) {
  EXPECT_TRUE(check_cell(type_of(Kind::kInt16), int_cell(32767)).is_ok());
  EXPECT_FALSE(check_cell(type_of(Kind::kInt16), int_cell(32768)).is_ok());
  EXPECT_FALSE(check_cell(type_of(Kind::kInt32), int_cell(-2147483649LL)).is_ok());
  EXPECT_FALSE(check_cell(type_of(Kind::kDate), int_cell(1LL << 40)).is_ok());
  EXPECT_TRUE(check_cell(type_of(Kind::kTimestamp), int_cell(1LL << 62)).is_ok());
}

TEST(CellCheckTest, DecimalsMustFitTheirPrecision) {
  EXPECT_TRUE(check_cell(decimal_type(5, 2), decimal(99999)).is_ok());
  EXPECT_TRUE(check_cell(decimal_type(5, 2), decimal(-99999)).is_ok());
  Status status = check_cell(decimal_type(5, 2), decimal(100000));
  EXPECT_EQ(status.code(), StatusCode::kDecodeError);
  EXPECT_TRUE(contains(status.message(), "DECIMAL(5,2)"));
  types::Int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  EXPECT_TRUE(check_cell(decimal_type(38, 0), decimal(max38 - 1)).is_ok());
  EXPECT_FALSE(check_cell(decimal_type(38, 0), decimal(max38)).is_ok());
}

TEST(CellCheckTest, WrongKindsAreNamed) {
  Status status = check_cell(type_of(Kind::kBoolean), text("true"));
  EXPECT_TRUE(contains(status.message(), "expected a BOOLEAN value, got a string"));
  EXPECT_FALSE(check_cell(type_of(Kind::kVarchar), int_cell(1)).is_ok());
  EXPECT_FALSE(check_cell(type_of(Kind::kInterval), int_cell(1)).is_ok());
  EXPECT_TRUE(check_cell(type_of(Kind::kFloat32), int_cell(1)).is_ok());
}

TEST(CellCheckTest, ListElementsAreCheckedAndMayNotBePlaceholders) {
  EXPECT_TRUE(check_cell(list_of(type_of(Kind::kInt16)), list({int_cell(1), null_cell()})).is_ok());
  EXPECT_FALSE(check_cell(list_of(type_of(Kind::kInt16)), list({int_cell(1 << 20)})).is_ok());
  EXPECT_FALSE(check_cell(list_of(type_of(Kind::kVarchar)), list({toast()})).is_ok());
  EXPECT_FALSE(check_cell(list_of(type_of(Kind::kVarchar)), text("[]")).is_ok());
}

}  // namespace
}  // namespace cdc::arrow
