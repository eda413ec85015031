// The mapping table row by row, plus a completeness test: every semantic name Debezium's Postgres
// connector writes (DESIGN.md's type table) is mapped explicitly.
#include "cdc/types/type_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace cdc::types {
namespace {

using decode::Encoding;

ConnectSchema schema(std::string type, std::string name = "",
                     std::vector<std::pair<std::string, std::string>> parameters = {}) {
  return ConnectSchema{std::move(type), std::move(name), std::move(parameters), nullptr};
}

struct MappingCase {
  ConnectSchema schema;
  const char* duck_type;
  Encoding encoding;
};

void PrintTo(const MappingCase& c, std::ostream* out) { *out << c.schema.type << " " << c.schema.name; }

class TypeMapRow : public ::testing::TestWithParam<MappingCase> {};

TEST_P(TypeMapRow, MapsToDuckTypeAndEncoding) {
  Result<decode::FieldSpec> field = map_connect_schema(GetParam().schema);
  ASSERT_TRUE(field.is_ok()) << field.status().to_string();
  EXPECT_EQ(field->type.duck_type(), GetParam().duck_type);
  EXPECT_EQ(field->encoding, GetParam().encoding);
}

ConnectSchema array_of(ConnectSchema element) {
  ConnectSchema array = schema("array");
  array.items = std::make_shared<const ConnectSchema>(std::move(element));
  return array;
}

const char* const kDecimal = "org.apache.kafka.connect.data.Decimal";

INSTANTIATE_TEST_SUITE_P(
    Rows, TypeMapRow,
    ::testing::Values(
        MappingCase{schema("int8"), "SMALLINT", Encoding::kInteger},
        MappingCase{schema("int16"), "SMALLINT", Encoding::kInteger},
        MappingCase{schema("int32"), "INTEGER", Encoding::kInteger},
        MappingCase{schema("int64"), "BIGINT", Encoding::kInteger},
        MappingCase{schema("float"), "REAL", Encoding::kFloat},
        MappingCase{schema("double"), "DOUBLE", Encoding::kFloat},
        MappingCase{schema("boolean"), "BOOLEAN", Encoding::kBoolean},
        MappingCase{schema("string"), "VARCHAR", Encoding::kString},
        MappingCase{schema("bytes"), "BLOB", Encoding::kBase64Bytes},
        MappingCase{schema("map"), "JSON", Encoding::kJsonText},
        MappingCase{schema("struct", "io.debezium.data.geometry.Circle"), "JSON", Encoding::kJsonText},
        MappingCase{schema("bytes", kDecimal, {{"scale", "2"}, {"connect.decimal.precision", "10"}}),
                    "DECIMAL(10,2)", Encoding::kConnectDecimal},
        MappingCase{schema("bytes", kDecimal, {{"scale", "0"}, {"connect.decimal.precision", "38"}}),
                    "DECIMAL(38,0)", Encoding::kConnectDecimal},
        MappingCase{schema("bytes", kDecimal, {{"scale", "2"}, {"connect.decimal.precision", "39"}}),
                    "VARCHAR", Encoding::kConnectDecimal},
        MappingCase{schema("bytes", kDecimal, {{"scale", "2"}}), "DECIMAL(38,2)", Encoding::kConnectDecimal},
        MappingCase{schema("bytes", kDecimal, {{"scale", "-3"}, {"connect.decimal.precision", "5"}}),
                    "VARCHAR", Encoding::kConnectDecimal},
        MappingCase{schema("struct", "io.debezium.data.VariableScaleDecimal"), "VARCHAR",
                    Encoding::kVariableScaleDecimal},
        MappingCase{schema("int32", "io.debezium.time.Date"), "DATE", Encoding::kDateDays},
        MappingCase{schema("int32", "org.apache.kafka.connect.data.Date"), "DATE", Encoding::kDateDays},
        MappingCase{schema("int32", "io.debezium.time.Time"), "TIME", Encoding::kTimeMillis},
        MappingCase{schema("int64", "io.debezium.time.MicroTime"), "TIME", Encoding::kTimeMicros},
        MappingCase{schema("int64", "io.debezium.time.NanoTime"), "TIME", Encoding::kTimeNanos},
        MappingCase{schema("string", "io.debezium.time.ZonedTime"), "TIMETZ", Encoding::kString},
        MappingCase{schema("int64", "io.debezium.time.Timestamp"), "TIMESTAMP", Encoding::kTimestampMillis},
        MappingCase{schema("int64", "io.debezium.time.MicroTimestamp"), "TIMESTAMP",
                    Encoding::kTimestampMicros},
        MappingCase{schema("int64", "io.debezium.time.NanoTimestamp"), "TIMESTAMP",
                    Encoding::kTimestampNanos},
        MappingCase{schema("string", "io.debezium.time.ZonedTimestamp"), "TIMESTAMPTZ",
                    Encoding::kZonedTimestamp},
        MappingCase{schema("int64", "io.debezium.time.MicroDuration"), "INTERVAL", Encoding::kMicroDuration},
        MappingCase{schema("string", "io.debezium.time.Interval"), "INTERVAL", Encoding::kIsoInterval},
        MappingCase{schema("string", "io.debezium.data.Json"), "JSON", Encoding::kString},
        MappingCase{schema("string", "io.debezium.data.Uuid"), "UUID", Encoding::kString},
        MappingCase{schema("string", "io.debezium.data.Enum"), "VARCHAR", Encoding::kString},
        MappingCase{schema("string", "io.debezium.data.EnumSet"), "VARCHAR", Encoding::kString},
        MappingCase{schema("string", "io.debezium.data.Xml"), "VARCHAR", Encoding::kString},
        MappingCase{schema("string", "io.debezium.data.Ltree"), "VARCHAR", Encoding::kString},
        MappingCase{schema("bytes", "io.debezium.data.Bits", {{"length", "8"}}), "BIT", Encoding::kBits},
        MappingCase{schema("struct", "io.debezium.data.geometry.Point"), "BLOB", Encoding::kGeometry},
        MappingCase{schema("struct", "io.debezium.data.geometry.Geometry"), "BLOB", Encoding::kGeometry},
        MappingCase{schema("struct", "io.debezium.data.geometry.Geography"), "BLOB", Encoding::kGeometry},
        MappingCase{schema("string", "io.debezium.some.FutureName"), "VARCHAR", Encoding::kString},
        MappingCase{schema("int64", "io.debezium.time.Date"), "BIGINT",
                    Encoding::kInteger},  // wrong Connect type
        MappingCase{array_of(schema("int32")), "INTEGER[]", Encoding::kArray},
        MappingCase{array_of(schema("string", "io.debezium.time.ZonedTimestamp")), "TIMESTAMPTZ[]",
                    Encoding::kArray},
        MappingCase{array_of(schema("double")), "DOUBLE[]", Encoding::kArray}));

// decimal.handling.mode=string: the propagated source type decides the DECIMAL a batch declares when every
// value fits; the wire type is the exact text (VARCHAR).
TEST(TypeMap, StringModeNumericsCarryTheirDecimalFit) {
  auto fit = [](std::vector<std::pair<std::string, std::string>> parameters) {
    Result<decode::FieldSpec> field = map_connect_schema(schema("string", "", std::move(parameters)));
    EXPECT_TRUE(field.is_ok());
    EXPECT_EQ(field->type.duck_type(), "VARCHAR");
    return field->decimal_fit ? std::to_string(field->decimal_fit->precision) + "," +
                                    std::to_string(field->decimal_fit->scale)
                              : std::string("text");
  };
  const std::string kType = "__debezium.source.column.type";
  const std::string kLength = "__debezium.source.column.length";
  const std::string kScale = "__debezium.source.column.scale";
  EXPECT_EQ(fit({{kType, "NUMERIC"}, {kLength, "10"}, {kScale, "2"}}), "10,2");
  EXPECT_EQ(fit({{kType, "NUMERIC"}, {kLength, "0"}}), "38,18");  // numeric without precision
  EXPECT_EQ(fit({{kType, "NUMERIC"}, {kLength, "50"}, {kScale, "5"}}), "text");
  EXPECT_EQ(fit({{kType, "NUMERIC"}, {kLength, "2"}, {kScale, "5"}}), "5,5");
  EXPECT_EQ(fit({{kType, "MONEY"}, {kLength, "2147483647"}, {kScale, "0"}}), "38,2");
  EXPECT_EQ(fit({{kType, "TEXT"}}), "text");
  Result<decode::FieldSpec> text = map_connect_schema(schema("string", "", {{kType, "TEXT"}}));
  ASSERT_TRUE(text.is_ok());
  EXPECT_EQ(text->encoding, Encoding::kString);
}

TEST(TypeMap, EverySemanticNameOfTheDesignIsMapped) {
  const char* const kRequired[] = {
      "org.apache.kafka.connect.data.Decimal",
      "io.debezium.data.VariableScaleDecimal",
      "io.debezium.time.Date",
      "io.debezium.time.Time",
      "io.debezium.time.MicroTime",
      "io.debezium.time.NanoTime",
      "io.debezium.time.ZonedTime",
      "io.debezium.time.Timestamp",
      "io.debezium.time.MicroTimestamp",
      "io.debezium.time.NanoTimestamp",
      "io.debezium.time.ZonedTimestamp",
      "io.debezium.time.MicroDuration",
      "io.debezium.time.Interval",
      "io.debezium.data.Json",
      "io.debezium.data.Uuid",
      "io.debezium.data.Enum",
      "io.debezium.data.EnumSet",
      "io.debezium.data.Xml",
      "io.debezium.data.Ltree",
      "io.debezium.data.Tsvector",
      "io.debezium.data.Bits",
      "io.debezium.data.geometry.Point",
      "io.debezium.data.geometry.Geometry",
      "io.debezium.data.geometry.Geography",
  };
  std::vector<std::string_view> mapped = mapped_semantic_names();
  for (const char* name : kRequired) {
    EXPECT_NE(std::find(mapped.begin(), mapped.end(), name), mapped.end()) << name;
  }
}

TEST(TypeMap, ArrayWithoutItemsIsAnError) { EXPECT_FALSE(map_connect_schema(schema("array")).is_ok()); }

TEST(TypeMap, UnknownConnectTypeIsAnError) { EXPECT_FALSE(map_connect_schema(schema("float128")).is_ok()); }

TEST(TypeMap, MalformedDecimalScaleIsAnError) {
  EXPECT_FALSE(map_connect_schema(schema("bytes", kDecimal, {{"scale", "x"}})).is_ok());
}

TEST(ColumnType, ListEqualityComparesElements) {
  ColumnType a{Kind::kList, 0, 0,
               std::make_shared<const ColumnType>(ColumnType{Kind::kInt32, 0, 0, nullptr})};
  ColumnType b{Kind::kList, 0, 0,
               std::make_shared<const ColumnType>(ColumnType{Kind::kInt32, 0, 0, nullptr})};
  ColumnType c{Kind::kList, 0, 0,
               std::make_shared<const ColumnType>(ColumnType{Kind::kInt64, 0, 0, nullptr})};
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_FALSE((ColumnType{Kind::kDecimal, 10, 2, nullptr}) == (ColumnType{Kind::kDecimal, 10, 3, nullptr}));
}

}  // namespace
}  // namespace cdc::types
