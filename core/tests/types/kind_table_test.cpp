// The kind table: every Kind has exactly one row, at its own index, and every layout serves some kind.
// (What each row says, spelled out per Kind, is pinned by arrow/type_vocabulary_test.cpp.)
#include "cdc/types/kind_table.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

namespace cdc::types {
namespace {

constexpr std::array kEveryKind = {Kind::kBoolean,     Kind::kInt16,    Kind::kInt32,   Kind::kInt64,
                                   Kind::kFloat32,     Kind::kFloat64,  Kind::kDecimal, Kind::kVarchar,
                                   Kind::kJson,        Kind::kUuid,     Kind::kBlob,    Kind::kBit,
                                   Kind::kDate,        Kind::kTime,     Kind::kTimeTz,  Kind::kTimestamp,
                                   Kind::kTimestampTz, Kind::kInterval, Kind::kList};

TEST(KindTableTest, EveryKindHasExactlyOneRowAtItsIndex) {
  ASSERT_EQ(kKindTable.size(), kEveryKind.size());
  std::set<Kind> seen;
  for (Kind kind : kEveryKind) {
    EXPECT_EQ(kind_spec(kind).kind, kind);
    EXPECT_EQ(&kind_spec(kind), &kKindTable[static_cast<std::size_t>(kind)]);
    EXPECT_FALSE(kind_spec(kind).duck_type.empty());
    EXPECT_FALSE(kind_spec(kind).arrow_format.empty());
    seen.insert(kKindTable[static_cast<std::size_t>(kind)].kind);
  }
  EXPECT_EQ(seen.size(), kKindCount);
}

TEST(KindTableTest, EveryLayoutServesAKind) {
  std::set<Layout> used;
  for (const KindSpec& spec : kKindTable) used.insert(spec.layout);
  EXPECT_EQ(used.size(), kLayoutCount);
}

TEST(KindTableTest, KindsSharingALayoutDifferOnlyInSpellingAndFormat) {
  EXPECT_EQ(kind_spec(Kind::kTimestampTz).layout, kind_spec(Kind::kInt64).layout);
  EXPECT_EQ(kind_spec(Kind::kDate).layout, kind_spec(Kind::kInt32).layout);
  EXPECT_EQ(kind_spec(Kind::kJson).layout, kind_spec(Kind::kBlob).layout);
  EXPECT_NE(kind_spec(Kind::kJson).arrow_format, kind_spec(Kind::kBlob).arrow_format);  // utf8, binary
}

TEST(KindTableTest, AValueOutsideTheEnumReadsTheVarcharRow) {
  const auto bogus = static_cast<Kind>(200);
  EXPECT_EQ(kind_spec(bogus).kind, Kind::kVarchar);
  ColumnType type;
  type.kind = bogus;
  EXPECT_EQ(type.duck_type(), "VARCHAR");
}

}  // namespace
}  // namespace cdc::types
