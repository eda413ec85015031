// Every Kind, end to end through the Arrow side: its DuckDB spelling, its Arrow format, which cells its
// columns accept (check_cell) and the layout its builder writes. One row per Kind, so a kind whose spelling,
// format or acceptance changes shows up here by name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cdc/arrow/cell_check.hpp"
#include "cdc/arrow/column_builder.hpp"
#include "cdc/arrow/field.hpp"
#include "contains.hpp"
#include "support/arrow_read.hpp"
#include "support/events.hpp"

namespace cdc::arrow {
namespace {

using namespace cdc::test;  // NOLINT(google-build-using-namespace)
using types::Kind;

// The probe cells, in the order of the columns of KindRow::accepts.
std::vector<types::Cell> probes() {
  return {boolean(true),     int_cell(7),         int_cell(70000),           int_cell(1LL << 40),
          real(1.5),         decimal(99999),      decimal(100000),           text("x"),
          interval(1, 2, 3), list({int_cell(1)}), list({int_cell(1 << 20)}), list({toast()})};
}

struct KindRow {
  types::ColumnType type;
  std::string duck_type;
  std::string format;
  // One letter per probe: y = check_cell accepts it. Probes: bool, 7, 70000, 2^40, 1.5, decimal 99999,
  // decimal 100000, "x", interval, [1], [2^20], [placeholder].
  std::string accepts;
  std::int64_t buffers;  // the exported array's n_buffers (validity included)
};

std::vector<KindRow> kind_rows() {
  return {
      {type_of(Kind::kBoolean), "BOOLEAN", "b", "ynnnnnnnnnnn", 2},
      {type_of(Kind::kInt16), "SMALLINT", "s", "nynnnnnnnnnn", 2},
      {type_of(Kind::kInt32), "INTEGER", "i", "nyynnnnnnnnn", 2},
      {type_of(Kind::kInt64), "BIGINT", "l", "nyyynnnnnnnn", 2},
      {type_of(Kind::kFloat32), "REAL", "f", "nyyyynnnnnnn", 2},
      {type_of(Kind::kFloat64), "DOUBLE", "g", "nyyyynnnnnnn", 2},
      {decimal_type(5, 2), "DECIMAL(5,2)", "d:5,2", "nyynnynnnnnn", 2},
      {type_of(Kind::kVarchar), "VARCHAR", "u", "nnnnnnnynnnn", 3},
      {type_of(Kind::kJson), "JSON", "u", "nnnnnnnynnnn", 3},
      {type_of(Kind::kUuid), "UUID", "u", "nnnnnnnynnnn", 3},
      {type_of(Kind::kBlob), "BLOB", "z", "nnnnnnnynnnn", 3},
      {type_of(Kind::kBit), "BIT", "u", "nnnnnnnynnnn", 3},
      {type_of(Kind::kDate), "DATE", "tdD", "nyynnnnnnnnn", 2},
      {type_of(Kind::kTime), "TIME", "ttu", "nyyynnnnnnnn", 2},
      {type_of(Kind::kTimeTz), "TIMETZ", "u", "nnnnnnnynnnn", 3},
      {type_of(Kind::kTimestamp), "TIMESTAMP", "tsu:", "nyyynnnnnnnn", 2},
      {type_of(Kind::kTimestampTz), "TIMESTAMPTZ", "tsu:UTC", "nyyynnnnnnnn", 2},
      {type_of(Kind::kInterval), "INTERVAL", "tin", "nnnnnnnnynnn", 2},
      {list_of(type_of(Kind::kInt16)), "SMALLINT[]", "+l", "nnnnnnnnnynn", 2},
  };
}

TEST(TypeVocabularyTest, OneRowPerKindInKindOrder) {
  const std::vector<KindRow> rows = kind_rows();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(Kind::kList) + 1);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].type.kind, static_cast<Kind>(i)) << i;
}

TEST(TypeVocabularyTest, SpellingsAndFormats) {
  for (const KindRow& row : kind_rows()) {
    EXPECT_EQ(row.type.duck_type(), row.duck_type);
    EXPECT_EQ(format_for(row.type), row.format) << row.duck_type;
    const Field field = field_for("c", row.type);
    EXPECT_EQ(field.format, row.format) << row.duck_type;
    EXPECT_TRUE(field.nullable) << row.duck_type;
    EXPECT_EQ(field.children.size(), row.type.kind == Kind::kList ? 1U : 0U) << row.duck_type;
  }
  // Parameterised and degenerate spellings.
  EXPECT_EQ(decimal_type(38, 0).duck_type(), "DECIMAL(38,0)");
  EXPECT_EQ(format_for(decimal_type(38, 10)), "d:38,10");
  EXPECT_EQ(list_of(list_of(decimal_type(10, 2))).duck_type(), "DECIMAL(10,2)[][]");
  EXPECT_EQ(type_of(Kind::kList).duck_type(), "VARCHAR[]");  // no element: text
  const Field untyped = field_for("tags", type_of(Kind::kList));
  ASSERT_EQ(untyped.children.size(), 1U);
  EXPECT_EQ(untyped.children[0].name, "item");
  EXPECT_EQ(untyped.children[0].format, "u");
}

TEST(TypeVocabularyTest, WhichCellsEachKindAccepts) {
  const std::vector<types::Cell> cells = probes();
  for (const KindRow& row : kind_rows()) {
    ASSERT_EQ(row.accepts.size(), cells.size()) << row.duck_type;
    EXPECT_TRUE(check_cell(row.type, null_cell()).is_ok()) << row.duck_type;
    EXPECT_TRUE(check_cell(row.type, toast()).is_ok()) << row.duck_type;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const Status status = check_cell(row.type, cells[i]);
      EXPECT_EQ(status.is_ok(), row.accepts[i] == 'y') << row.duck_type << " probe " << i;
      if (!status.is_ok()) EXPECT_EQ(status.code(), StatusCode::kDecodeError) << row.duck_type;
    }
  }
}

TEST(TypeVocabularyTest, RejectionsSayWhatWasExpectedAndWhatCame) {
  EXPECT_EQ(check_cell(type_of(Kind::kInt16), int_cell(70000)).message(),
            "expected a SMALLINT value, got the integer 70000");
  EXPECT_EQ(check_cell(decimal_type(5, 2), decimal(100000)).message(),
            "expected a DECIMAL(5,2) value, got a decimal");
  EXPECT_EQ(check_cell(type_of(Kind::kTimestampTz), text("x")).message(),
            "expected a TIMESTAMPTZ value, got a string");
  EXPECT_EQ(check_cell(list_of(type_of(Kind::kInt16)), list({int_cell(1 << 20)})).message(),
            "expected a SMALLINT value, got the integer 1048576");
  EXPECT_EQ(check_cell(list_of(type_of(Kind::kVarchar)), list({toast()})).message(),
            "the unchanged-TOAST placeholder inside a list");
  EXPECT_EQ(check_cell(list_of(type_of(Kind::kInt16)), text("[]")).message(),
            "expected a SMALLINT[] value, got a string");
}

// What check_cell lets into the buffer, the column's builder takes when the batch is exported.
TEST(TypeVocabularyTest, EveryAcceptedCellBuilds) {
  const std::vector<types::Cell> cells = probes();
  for (const KindRow& row : kind_rows()) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (!check_cell(row.type, cells[i]).is_ok()) continue;
      std::unique_ptr<ColumnBuilder> builder = make_builder(row.type);
      EXPECT_TRUE(builder->append(cells[i]).is_ok()) << row.duck_type << " probe " << i;
    }
  }
}

TEST(TypeVocabularyTest, EachBuilderWritesItsKindsLayout) {
  for (const KindRow& row : kind_rows()) {
    std::unique_ptr<ColumnBuilder> builder = make_builder(row.type);
    ASSERT_TRUE(builder->append(null_cell()).is_ok()) << row.duck_type;
    OwnedArray out;
    export_array(builder->finish(), &out.array);
    EXPECT_EQ(out.array.length, 1) << row.duck_type;
    EXPECT_EQ(out.array.null_count, 1) << row.duck_type;
    EXPECT_EQ(out.array.n_buffers, row.buffers) << row.duck_type;
    EXPECT_EQ(out.array.n_children, row.type.kind == Kind::kList ? 1 : 0) << row.duck_type;
  }
  // The builder's error names the column type the way check_cell does.
  EXPECT_TRUE(contains(make_builder(type_of(Kind::kDate))->append(text("x")).message(),
                       "expected a DATE value, got a string"));
}

}  // namespace
}  // namespace cdc::arrow
