// Table-driven: every Encoding and semantic type, with edge values, through the schema parser and the
// value decoder exactly as the EventDecoder uses them.
#include "decode/value_decoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cell_printer.hpp"
#include "contains.hpp"
#include "decode/field_fixture.hpp"

namespace cdc::decode {
namespace {

using namespace cdc::test;  // NOLINT: cell builders
using types::Cell;
using types::Int128;

constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max();
constexpr const char* kStringNumeric =
    R"({"type":"string","parameters":{"__debezium.source.column.type":"NUMERIC",)"
    R"("__debezium.source.column.length":"10","__debezium.source.column.scale":"2"}})";

Result<Cell> decode_json(const FieldSpec& field, const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).get(element) != simdjson::SUCCESS)
    return Status::decode_error("bad test JSON " + json);
  return decode_value(element, field);
}

Int128 int128(const char* digits) {
  Int128 value = 0;
  bool negative = *digits == '-';
  for (const char* p = digits + (negative ? 1 : 0); *p; ++p) value = value * 10 + (*p - '0');
  return negative ? -value : value;
}

struct ValueCase {
  const char* name;
  const char* schema;  // the field schema ("field":"c" is added)
  const char* value;   // the JSON value
  Cell expected;
  const char* duck_type;
};

void PrintTo(const ValueCase& c, std::ostream* out) { *out << c.name; }

class ValueDecoding : public ::testing::TestWithParam<ValueCase> {};

TEST_P(ValueDecoding, DecodesToExpectedCellAndType) {
  const ValueCase& c = GetParam();
  FieldSpec field = field_from_schema(std::string(c.schema).insert(1, R"("field":"c",)"));
  EXPECT_EQ(field.type.duck_type(), c.duck_type);
  Result<Cell> cell = decode_json(field, c.value);
  ASSERT_TRUE(cell.is_ok()) << cell.status().to_string();
  EXPECT_EQ(*cell, c.expected);
}

#define DEC(p, s)                                                                                \
  R"({"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":")" #s \
  R"(","connect.decimal.precision":")" #p R"("}})"
constexpr const char* kVsd =
    R"({"type":"struct","fields":[{"type":"int32","field":"scale"},{"type":"bytes","field":"value"}],"name":"io.debezium.data.VariableScaleDecimal"})";
constexpr const char* kMoney =
    R"({"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}})";
constexpr const char* kMicroTs = R"({"type":"int64","name":"io.debezium.time.MicroTimestamp"})";
constexpr const char* kMilliTs = R"({"type":"int64","name":"io.debezium.time.Timestamp"})";
constexpr const char* kNanoTs = R"({"type":"int64","name":"io.debezium.time.NanoTimestamp"})";
constexpr const char* kZonedTs = R"({"type":"string","name":"io.debezium.time.ZonedTimestamp"})";
constexpr const char* kInterval = R"({"type":"string","name":"io.debezium.time.Interval"})";
constexpr const char* kBits3 =
    R"({"type":"bytes","name":"io.debezium.data.Bits","parameters":{"length":"3"}})";
constexpr const char* kBits10 =
    R"({"type":"bytes","name":"io.debezium.data.Bits","parameters":{"length":"10"}})";

INSTANTIATE_TEST_SUITE_P(
    AllEncodings, ValueDecoding,
    ::testing::Values(
        ValueCase{"null", R"({"type":"int32","optional":true})", "null", null_cell(), "INTEGER"},
        ValueCase{"bool", R"({"type":"boolean"})", "true", Cell{true}, "BOOLEAN"},
        ValueCase{"int8", R"({"type":"int8"})", "-128", int_cell(-128), "SMALLINT"},
        ValueCase{"int16_min", R"({"type":"int16"})", "-32768", int_cell(-32768), "SMALLINT"},
        ValueCase{"int32_max", R"({"type":"int32"})", "2147483647", int_cell(2147483647), "INTEGER"},
        ValueCase{"int64_min", R"({"type":"int64"})", "-9223372036854775808",
                  int_cell(std::numeric_limits<std::int64_t>::min()), "BIGINT"},
        ValueCase{"int64_max", R"({"type":"int64"})", "9223372036854775807", int_cell(kInf), "BIGINT"},
        ValueCase{"double", R"({"type":"double"})", "1.5e300", Cell{1.5e300}, "DOUBLE"},
        ValueCase{"float", R"({"type":"float"})", "0.25", Cell{0.25}, "REAL"},
        ValueCase{"float_int_token", R"({"type":"double"})", "3", Cell{3.0}, "DOUBLE"},
        ValueCase{"float_nan", R"({"type":"double"})", R"("NaN")", Cell{std::nan("")}, "DOUBLE"},
        ValueCase{"float_inf", R"({"type":"double"})", R"("Infinity")", Cell{HUGE_VAL}, "DOUBLE"},
        ValueCase{"float_ninf", R"({"type":"float"})", R"("-Infinity")", Cell{-HUGE_VAL}, "REAL"},
        ValueCase{"text_non_ascii", R"({"type":"string"})", R"("h\u00e9llo \u2603 日本")",
                  text_cell("h\xC3\xA9llo \xE2\x98\x83 日本"), "VARCHAR"},
        ValueCase{"empty_text", R"({"type":"string"})", R"("")", text_cell(""), "VARCHAR"},
        ValueCase{"json", R"({"type":"string","name":"io.debezium.data.Json"})", R"("{\"a\": [1, 2]}")",
                  text_cell(R"({"a": [1, 2]})"), "JSON"},
        ValueCase{"uuid", R"({"type":"string","name":"io.debezium.data.Uuid"})",
                  R"("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")",
                  text_cell("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "UUID"},
        ValueCase{"enum",
                  R"({"type":"string","name":"io.debezium.data.Enum","parameters":{"allowed":"a,b"}})",
                  R"("b")", text_cell("b"), "VARCHAR"},
        ValueCase{"bytea", R"({"type":"bytes"})", R"("AP8Q")", text_cell(std::string("\x00\xff\x10", 3)),
                  "BLOB"},
        ValueCase{"bytea_empty", R"({"type":"bytes"})", R"("")", text_cell(""), "BLOB"},
        ValueCase{"decimal", DEC(10, 2), R"("AeJA")", decimal_cell(123456), "DECIMAL(10,2)"},
        ValueCase{"decimal_negative", DEC(10, 2), R"("/2o=")", decimal_cell(-150), "DECIMAL(10,2)"},
        ValueCase{"decimal_38_digits", DEC(38, 0), R"("SztMqFqGxHoJiiI//////w==")",
                  decimal_cell(int128("99999999999999999999999999999999999999")), "DECIMAL(38,0)"},
        ValueCase{"decimal_38_digits_negative", DEC(38, 10), R"("tMSzV6V5O4X2dd3AAAAAAQ==")",
                  decimal_cell(int128("-99999999999999999999999999999999999999")), "DECIMAL(38,10)"},
        ValueCase{"decimal_precision_over_38", DEC(40, 2), R"("A6DJIHXA2/O4rLxfls4/CtI=")",
                  text_cell("12345678901234567890123456789012345678.90"), "VARCHAR"},
        ValueCase{"decimal_over_38_negative", DEC(50, 5), R"("/2o=")", text_cell("-0.00150"), "VARCHAR"},
        ValueCase{"decimal_scale_above_precision", DEC(2, 5), R"("BQ==")", decimal_cell(5), "DECIMAL(5,5)"},
        ValueCase{"money", kMoney, R"("AeJA")", decimal_cell(123456), "DECIMAL(38,2)"},
        // numeric without precision: the exact digits with the value's own scale (the batch declares the
        // type)
        ValueCase{"numeric_no_scale", kVsd, R"({"scale":5,"value":"BMsv"})", text_cell("3.14159"), "VARCHAR"},
        ValueCase{"numeric_no_scale_negative", kVsd, R"({"scale":1,"value":"5w=="})", text_cell("-2.5"),
                  "VARCHAR"},
        ValueCase{"numeric_no_scale_20_int_digits", kVsd, R"({"scale":0,"value":"AIrHIwSJ6AAA"})",
                  text_cell("10000000000000000000"), "VARCHAR"},
        ValueCase{"numeric_no_scale_trailing_zeros", kVsd, R"({"scale":20,"value":"AdTA"})",
                  text_cell("0.00000000000000120000"), "VARCHAR"},
        // decimal.handling.mode=string: exact text; Java's names for the special values become PostgreSQL's
        ValueCase{"numeric_string_mode", kStringNumeric, R"("1.50")", text_cell("1.50"), "VARCHAR"},
        ValueCase{"numeric_string_mode_nan", kStringNumeric, R"("NAN")", text_cell("NaN"), "VARCHAR"},
        ValueCase{"numeric_string_mode_infinity", kStringNumeric, R"("POSITIVE_INFINITY")",
                  text_cell("Infinity"), "VARCHAR"},
        ValueCase{"numeric_string_mode_minus_infinity", kStringNumeric, R"("NEGATIVE_INFINITY")",
                  text_cell("-Infinity"), "VARCHAR"},
        ValueCase{"numeric_no_scale_19_fraction_digits", kVsd, R"({"scale":19,"value":"BQ=="})",
                  text_cell("0.0000000000000000005"), "VARCHAR"},
        ValueCase{"numeric_no_scale_23_digits", kVsd, R"({"scale":0,"value":"Ap1Ctk52cUJEyw=="})",
                  text_cell("12345678901234567890123"), "VARCHAR"},
        ValueCase{"date", R"({"type":"int32","name":"io.debezium.time.Date"})", "19844", int_cell(19844),
                  "DATE"},
        ValueCase{"date_pre_1970", R"({"type":"int32","name":"io.debezium.time.Date"})", "-165",
                  int_cell(-165), "DATE"},
        ValueCase{"date_infinity", R"({"type":"int32","name":"io.debezium.time.Date"})", "-2147472693",
                  int_cell(2147483647), "DATE"},
        ValueCase{"date_infinity_debezium37", R"({"type":"int32","name":"io.debezium.time.Date"})",
                  "-622191234", int_cell(2147483647), "DATE"},
        ValueCase{"date_neg_infinity_debezium37", R"({"type":"int32","name":"io.debezium.time.Date"})",
                  "-625821272", int_cell(-2147483647), "DATE"},
        ValueCase{"date_infinity_streamed", R"({"type":"int32","name":"io.debezium.time.Date"})",
                  "2146033979", int_cell(2147483647), "DATE"},
        ValueCase{"date_neg_infinity_streamed", R"({"type":"int32","name":"io.debezium.time.Date"})",
                  "-2147472691", int_cell(-2147483647), "DATE"},
        ValueCase{"time_ms", R"({"type":"int32","name":"io.debezium.time.Time"})", "45296789",
                  int_cell(45296789000), "TIME"},
        ValueCase{"time_us", R"({"type":"int64","name":"io.debezium.time.MicroTime"})", "86400000000",
                  int_cell(86400000000), "TIME"},
        ValueCase{"time_ns", R"({"type":"int64","name":"io.debezium.time.NanoTime"})", "1000", int_cell(1),
                  "TIME"},
        ValueCase{"timetz", R"({"type":"string","name":"io.debezium.time.ZonedTime"})", R"("13:13:16.9451Z")",
                  text_cell("13:13:16.9451Z"), "TIMETZ"},
        ValueCase{"timestamp_us", kMicroTs, "1529507596945104", int_cell(1529507596945104), "TIMESTAMP"},
        ValueCase{"timestamp_us_pre_1970", kMicroTs, "-2208988800000000", int_cell(-2208988800000000),
                  "TIMESTAMP"},
        ValueCase{"timestamp_us_infinity", kMicroTs, "9223372036825200000", int_cell(kInf), "TIMESTAMP"},
        ValueCase{"timestamp_us_neg_infinity", kMicroTs, "-9223372036832400000", int_cell(-kInf),
                  "TIMESTAMP"},
        ValueCase{"timestamp_us_4713_bc", kMicroTs, "-210863520000000000", int_cell(-210863520000000000),
                  "TIMESTAMP"},
        ValueCase{"timestamp_ms", kMilliTs, "1529507596945", int_cell(1529507596945000), "TIMESTAMP"},
        ValueCase{"timestamp_us_long_max_infinity", kMicroTs, "9223372036854775807", int_cell(kInf),
                  "TIMESTAMP"},
        ValueCase{"timestamp_us_long_min_infinity", kMicroTs, "-9223372036854775808", int_cell(-kInf),
                  "TIMESTAMP"},
        ValueCase{"timestamp_ms_infinity", kMilliTs, "9223372036825200", int_cell(kInf), "TIMESTAMP"},
        ValueCase{"timestamp_ms_neg_infinity", kMilliTs, "-9223372036832400", int_cell(-kInf), "TIMESTAMP"},
        ValueCase{"timestamp_ns", kNanoTs, "-1000", int_cell(-1), "TIMESTAMP"},
        ValueCase{"timestamp_ns_infinity", kNanoTs, "9223372036854775807", int_cell(kInf), "TIMESTAMP"},
        ValueCase{"timestamp_ns_neg_infinity", kNanoTs, "-9223372036854775808", int_cell(-kInf), "TIMESTAMP"},
        ValueCase{"timestamptz", kZonedTs, R"("2018-06-20T13:13:16.945104Z")", int_cell(1529500396945104),
                  "TIMESTAMPTZ"},
        ValueCase{"timestamptz_no_fraction", kZonedTs, R"("2018-06-20T13:13:16Z")",
                  int_cell(1529500396000000), "TIMESTAMPTZ"},
        ValueCase{"timestamptz_offset", kZonedTs, R"("2018-06-20T13:13:16.9+02:00")",
                  int_cell(1529493196900000), "TIMESTAMPTZ"},
        ValueCase{"timestamptz_9_digits", kZonedTs, R"("2018-06-20T13:13:16.945104000Z")",
                  int_cell(1529500396945104), "TIMESTAMPTZ"},
        ValueCase{"timestamptz_pre_1970", kZonedTs, R"("1900-01-01T00:00:00Z")", int_cell(-2208988800000000),
                  "TIMESTAMPTZ"},
        ValueCase{"timestamptz_year_10000", kZonedTs, R"("+10000-01-01T00:00:00Z")",
                  int_cell(253402300800000000), "TIMESTAMPTZ"},
        ValueCase{"timestamptz_bc", kZonedTs, R"("-0001-01-01T00:00:00Z")", int_cell(-62198755200000000),
                  "TIMESTAMPTZ"},
        ValueCase{"timestamptz_infinity", kZonedTs, R"("infinity")", int_cell(kInf), "TIMESTAMPTZ"},
        ValueCase{"timestamptz_neg_infinity", kZonedTs, R"("-infinity")", int_cell(-kInf), "TIMESTAMPTZ"},
        ValueCase{"micro_duration", R"({"type":"int64","name":"io.debezium.time.MicroDuration"})",
                  "5259600000000", interval_cell(0, 0, 5259600000000000), "INTERVAL"},
        ValueCase{"micro_duration_negative", R"({"type":"int64","name":"io.debezium.time.MicroDuration"})",
                  "-1", interval_cell(0, 0, -1000), "INTERVAL"},
        ValueCase{"iso_interval", kInterval, R"("P1Y2M3DT4H5M6.78S")",
                  interval_cell(14, 3, ((4 * 60 + 5) * 60 + 6) * 1000000000LL + 780000000), "INTERVAL"},
        ValueCase{"iso_interval_negative", kInterval, R"("P-1Y-2M-3DT-4H-5M-6.78S")",
                  interval_cell(-14, -3, -(((4 * 60 + 5) * 60 + 6) * 1000000000LL + 780000000)), "INTERVAL"},
        ValueCase{"iso_interval_mixed_signs", kInterval, R"("P0Y1M-1DT0H0M-0.5S")",
                  interval_cell(1, -1, -500000000), "INTERVAL"},
        ValueCase{"iso_interval_zero", kInterval, R"("P0Y0M0DT0H0M0S")", interval_cell(0, 0, 0), "INTERVAL"},
        ValueCase{"bits", kBits3, R"("BQ==")", text_cell("101"), "BIT"},
        ValueCase{"bits_leading_zeros", kBits10, R"("AQ==")", text_cell("0000000001"), "BIT"},
        ValueCase{"bits_high_bit", kBits10, R"("AAI=")", text_cell("1000000000"), "BIT"},
        ValueCase{"bits_all_zero", kBits3, R"("")", text_cell("000"), "BIT"},
        ValueCase{"bit1_is_boolean", R"({"type":"boolean"})", "false", Cell{false}, "BOOLEAN"},
        ValueCase{"point", R"({"type":"struct","name":"io.debezium.data.geometry.Point","fields":[]})",
                  R"({"x":1.0,"y":2.0,"wkb":"AQEAAAAAAAAAAADwPwAAAAAAAABA","srid":null})",
                  text_cell(std::string(
                      "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00"
                      "\x00\x40",
                      21)),
                  "BLOB"},
        ValueCase{
            "point_without_wkb", R"({"type":"struct","name":"io.debezium.data.geometry.Point","fields":[]})",
            R"({"x":1.0,"y":2.0})",
            text_cell(
                std::string("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00"
                            "\x00\x40",
                            21)),
            "BLOB"},
        ValueCase{"geometry", R"({"type":"struct","name":"io.debezium.data.geometry.Geometry","fields":[]})",
                  R"({"wkb":"AP8Q","srid":4326})", text_cell(std::string("\x00\xff\x10", 3)), "BLOB"},
        ValueCase{"int_array_with_null", R"({"type":"array","items":{"type":"int32","optional":true}})",
                  "[1,null,3]", list_cell({int_cell(1), null_cell(), int_cell(3)}), "INTEGER[]"},
        ValueCase{"empty_array", R"({"type":"array","items":{"type":"string","optional":true}})", "[]",
                  list_cell({}), "VARCHAR[]"},
        ValueCase{"decimal_array", R"({"type":"array","items":)" DEC(10, 2) R"(})", R"(["AeJA",null])",
                  list_cell({decimal_cell(123456), null_cell()}), "DECIMAL(10,2)[]"},
        ValueCase{"timestamptz_array",
                  R"({"type":"array","items":{"type":"string","name":"io.debezium.time.ZonedTimestamp"}})",
                  R"(["infinity"])", list_cell({int_cell(kInf)}), "TIMESTAMPTZ[]"},
        ValueCase{"hstore_map",
                  R"({"type":"map","keys":{"type":"string"},"values":{"type":"string","optional":true}})",
                  R"({"a": "1", "b": null})", text_cell(R"({"a":"1","b":null})"), "JSON"}),
    [](const ::testing::TestParamInfo<ValueCase>& info) { return std::string(info.param.name); });

// Every form of the unchanged-TOAST placeholder -> Unavailable.
struct PlaceholderCase {
  const char* name;
  const char* schema;
  const char* value;
};

void PrintTo(const PlaceholderCase& c, std::ostream* out) { *out << c.name; }

class Placeholder : public ::testing::TestWithParam<PlaceholderCase> {};

TEST_P(Placeholder, IsUnavailable) {
  FieldSpec field = field_from_schema(std::string(GetParam().schema).insert(1, R"("field":"c",)"));
  Result<Cell> cell = decode_json(field, GetParam().value);
  ASSERT_TRUE(cell.is_ok()) << cell.status().to_string();
  EXPECT_EQ(*cell, unavailable());
}

// In an insert or a snapshot read there is no placeholder: the same text is the column's real value.
TEST(PlaceholderText, IsARealValueWherePlaceholdersCannotOccur) {
  FieldSpec text = field_from_schema(R"({"field":"c","type":"string"})");
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  ASSERT_EQ(parser.parse(std::string(R"("__debezium_unavailable_value")")).get(value), simdjson::SUCCESS);
  Result<Cell> cell = decode_value(value, text, /*placeholders=*/false);
  ASSERT_TRUE(cell.is_ok()) << cell.status().to_string();
  EXPECT_EQ(*cell, text_cell("__debezium_unavailable_value"));
  FieldSpec list = field_from_schema(R"({"field":"c","type":"array","items":{"type":"string"}})");
  ASSERT_EQ(parser.parse(std::string(R"(["__debezium_unavailable_value"])")).get(value), simdjson::SUCCESS);
  cell = decode_value(value, list, /*placeholders=*/false);
  ASSERT_TRUE(cell.is_ok()) << cell.status().to_string();
  EXPECT_EQ(*cell, list_cell({text_cell("__debezium_unavailable_value")}));
  // In an update, only the whole array is ever the placeholder; an element with its text is a value.
  ASSERT_EQ(parser.parse(std::string(R"(["a","__debezium_unavailable_value"])")).get(value),
            simdjson::SUCCESS);
  cell = decode_value(value, list, /*placeholders=*/true);
  ASSERT_TRUE(cell.is_ok()) << cell.status().to_string();
  EXPECT_EQ(*cell, list_cell({text_cell("a"), text_cell("__debezium_unavailable_value")}));
}

constexpr const char* kPlaceholderBytes =
    "[95,95,100,101,98,101,122,105,117,109,95,117,110,97,118,97,105,108,97,98,108,101,95,118,97,108,117,101]";

INSTANTIATE_TEST_SUITE_P(
    EveryForm, Placeholder,
    ::testing::Values(
        PlaceholderCase{"text", R"({"type":"string"})", R"("__debezium_unavailable_value")"},
        PlaceholderCase{"jsonb", R"({"type":"string","name":"io.debezium.data.Json"})",
                        R"("__debezium_unavailable_value")"},
        PlaceholderCase{"xml", R"({"type":"string","name":"io.debezium.data.Xml"})",
                        R"("__debezium_unavailable_value")"},
        PlaceholderCase{"bytea_bytes", R"({"type":"bytes"})",
                        R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")"},
        PlaceholderCase{"bytea_hex_mode", R"({"type":"string"})", R"("__debezium_unavailable_value")"},
        PlaceholderCase{"text_array", R"({"type":"array","items":{"type":"string","optional":true}})",
                        R"(["__debezium_unavailable_value"])"},
        PlaceholderCase{"jsonb_array",
                        R"({"type":"array","items":{"type":"string","name":"io.debezium.data.Json"}})",
                        R"(["__debezium_unavailable_value"])"},
        PlaceholderCase{"int_array", R"({"type":"array","items":{"type":"int32","optional":true}})",
                        kPlaceholderBytes},
        PlaceholderCase{"bigint_array", R"({"type":"array","items":{"type":"int64","optional":true}})",
                        kPlaceholderBytes},
        PlaceholderCase{"date_array",
                        R"({"type":"array","items":{"type":"int32","name":"io.debezium.time.Date"}})",
                        kPlaceholderBytes},
        PlaceholderCase{"bytea_array", R"({"type":"array","items":{"type":"bytes","optional":true}})",
                        R"(["X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="])"},
        PlaceholderCase{"uuid_array",
                        R"({"type":"array","items":{"type":"string","name":"io.debezium.data.Uuid"}})",
                        R"(["b68a35a7-17ad-35b3-af2a-ae46edb4545a"])"},
        PlaceholderCase{"hstore_json", R"({"type":"string","name":"io.debezium.data.Json"})",
                        R"("{\"__debezium_unavailable_value\":\"__debezium_unavailable_value\"}")"},
        PlaceholderCase{"hstore_map", R"({"type":"map","keys":{"type":"string"},"values":{"type":"string"}})",
                        R"({"__debezium_unavailable_value":"__debezium_unavailable_value"})"},
        PlaceholderCase{"numeric_string", DEC(10, 2), R"("__debezium_unavailable_value")"},
        PlaceholderCase{"numeric_bytes", DEC(10, 2), R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")"},
        PlaceholderCase{"numeric_no_scale", kVsd,
                        R"({"scale":0,"value":"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="})"},
        PlaceholderCase{"numeric_no_scale_string", kVsd, R"("__debezium_unavailable_value")"},
        PlaceholderCase{"geometry_string",
                        R"({"type":"struct","name":"io.debezium.data.geometry.Geometry","fields":[]})",
                        R"("__debezium_unavailable_value")"},
        PlaceholderCase{"bits", kBits10, R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")"}),
    [](const ::testing::TestParamInfo<PlaceholderCase>& info) { return std::string(info.param.name); });

TEST(Placeholder, UuidFormOnlyInsideUuidArrays) {
  FieldSpec uuid = field_from_schema(R"({"field":"c","type":"string","name":"io.debezium.data.Uuid"})");
  Result<Cell> cell = decode_json(uuid, R"("b68a35a7-17ad-35b3-af2a-ae46edb4545a")");
  ASSERT_TRUE(cell.is_ok());
  EXPECT_EQ(*cell, text_cell("b68a35a7-17ad-35b3-af2a-ae46edb4545a"));
}

TEST(Placeholder, Base64FormIsRealTextInATextColumn) {
  FieldSpec text = field_from_schema(R"({"field":"c","type":"string"})");
  EXPECT_EQ(*decode_json(text, R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")"),
            text_cell("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="));
}

// Values that cannot be converted exactly: an error naming the column, the reason and the value.
struct ErrorCase {
  const char* name;
  const char* schema;
  const char* value;
  const char* reason;
};

void PrintTo(const ErrorCase& c, std::ostream* out) { *out << c.name; }

const std::string kLongTextStorage = "\"" + std::string(100, 'x') + "\"";
const char* const kLongText = kLongTextStorage.c_str();

class ValueError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ValueError, NamesColumnReasonAndValue) {
  FieldSpec field = field_from_schema(std::string(GetParam().schema).insert(1, R"("field":"price",)"));
  Result<Cell> cell = decode_json(field, GetParam().value);
  ASSERT_FALSE(cell.is_ok());
  EXPECT_EQ(cell.status().code(), StatusCode::kDecodeError);
  EXPECT_TRUE(contains(cell.status().message(), "column 'price'"));
  EXPECT_TRUE(contains(cell.status().message(), GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Conversions, ValueError,
    ::testing::Values(
        ErrorCase{"int16_overflow", R"({"type":"int16"})", "32768", "out of range"},
        ErrorCase{"wrong_json_type", R"({"type":"int32"})", R"("12")", "expected a 64-bit integer"},
        ErrorCase{"bad_float_text", R"({"type":"double"})", R"("nan")", "expected a number"},
        ErrorCase{"bad_base64", R"({"type":"bytes"})", R"("@@@")", "base64"},
        ErrorCase{"decimal_over_precision", DEC(5, 2), R"("AeJA")", "does not fit DECIMAL(5,2)"},
        ErrorCase{"decimal_over_128_bits", DEC(38, 0), R"("AQAAAAAAAAAAAAAAAAAAAAAA")", "does not fit"},
        ErrorCase{"decimal_as_number", DEC(10, 2), "12.5", "decimal.format=BASE64"},
        ErrorCase{"timestamp_ms_overflow", kMilliTs, "9223372036854776", "range"},
        ErrorCase{"timestamp_ns_sub_micro", kNanoTs, "1500", "sub-microsecond"},
        ErrorCase{"timestamptz_garbage", kZonedTs, R"("yesterday")", "not a valid ISO-8601 timestamp"},
        ErrorCase{"timestamptz_sub_micro", kZonedTs, R"("2018-06-20T13:13:16.9451041Z")", "sub-microsecond"},
        ErrorCase{"timestamptz_bad_day", kZonedTs, R"("2018-02-30T00:00:00Z")", "not a valid"},
        ErrorCase{"interval_garbage", kInterval, R"("1 day")", "not a valid ISO-8601 interval"},
        // PostgreSQL allows ±2562047788 hours; Arrow's month_day_nano carries at most ±2562047 h
        ErrorCase{"interval_time_beyond_nanoseconds", kInterval, R"("P0Y0M0DT2562048H0M0S")",
                  "outside DuckDB's INTERVAL range"},
        ErrorCase{"bits_too_long", kBits3, R"("/w==")", "longer than"},
        // First-sight refusals of the type contract (values Debezium 3.7 sends for them, seen on the stack):
        ErrorCase{"varbit_unbounded_loses_leading_zeros",
                  R"({"type":"bytes","name":"io.debezium.data.Bits","parameters":{"length":"2147483647"}})",
                  R"("AQ==")", "leading zero bits"},
        ErrorCase{"timestamp_after_294247_wrapped_by_debezium", kMicroTs, "-9223372036853775810",
                  "Debezium overflowed"},
        ErrorCase{"text_2d_array_java_object_text",
                  R"({"type":"array","items":{"type":"string","optional":true}})",
                  R"(["[Ljava.lang.String;@738e2e23","[Ljava.lang.String;@5966f4f"])", "multi-dimensional"},
        ErrorCase{"array_element", R"({"type":"array","items":{"type":"int16","optional":true}})",
                  "[1,99999]", "[1] element"},
        ErrorCase{"long_value_truncated", R"({"type":"int32"})", kLongText, "xxx..."}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cdc::decode
