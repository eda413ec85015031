#include "cdc/types/decimal.hpp"

#include <gtest/gtest.h>

#include <string>

#include "cdc/types/civil_time.hpp"
#include "cdc/types/sql_literal.hpp"

namespace cdc::types {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(Decimal, TwosComplementToInt128) {
  EXPECT_EQ(*int128_from_twos_complement(bytes({0x01, 0xe2, 0x40})), Int128{123456});
  EXPECT_EQ(*int128_from_twos_complement(bytes({0xff, 0x6a})), Int128{-150});
  EXPECT_EQ(*int128_from_twos_complement(""), Int128{0});
  // 17 bytes whose first is only sign extension still fit.
  std::string minus_one(17, '\xff');
  EXPECT_EQ(*int128_from_twos_complement(minus_one), Int128{-1});
  std::string too_big = bytes({0x01}) + std::string(16, '\0');
  EXPECT_FALSE(int128_from_twos_complement(too_big).has_value());
  // 16 bytes with the sign bit set where the extension byte said positive.
  std::string wrapped = bytes({0x00}) + std::string(1, '\x80') + std::string(15, '\0');
  EXPECT_FALSE(int128_from_twos_complement(wrapped).has_value());
}

TEST(Decimal, Text) {
  EXPECT_EQ(decimal_text(123456, 2), "1234.56");
  EXPECT_EQ(decimal_text(-150, 2), "-1.50");
  EXPECT_EQ(decimal_text(5, 3), "0.005");
  EXPECT_EQ(decimal_text(-5, 3), "-0.005");
  EXPECT_EQ(decimal_text(123, -2), "12300");
  EXPECT_EQ(decimal_text(0, 0), "0");
  EXPECT_EQ(decimal_text_from_twos_complement(bytes({0xff, 0x6a}), 2), "-1.50");
  EXPECT_EQ(decimal_text_from_twos_complement(std::string(20, '\xff'), 0), "-1");
  EXPECT_EQ(decimal_text_from_twos_complement(bytes({0x00}), 3), "0.000");
  EXPECT_EQ(decimal_digits(0), 1);
  EXPECT_EQ(decimal_digits(-99999), 5);
}

TEST(CivilTime, RoundTripsAndFormats) {
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(days_from_civil({2024, 5, 1}), 19844);
  EXPECT_EQ(days_from_civil({1969, 7, 20}), -165);
  for (std::int64_t d : {-1000000, -719468, -1, 0, 59, 60, 11016, 2932896}) {
    EXPECT_EQ(days_from_civil(civil_from_days(d)), d);
  }
  EXPECT_EQ(format_date(19844), "2024-05-01");
  EXPECT_EQ(format_date(days_from_civil({-1, 3, 1})), "-0001-03-01");
  EXPECT_EQ(format_time(45296789000), "12:34:56.789000");
  EXPECT_EQ(format_timestamp(-500000), "1969-12-31 23:59:59.500000");
  EXPECT_FALSE(is_valid_civil_date({2023, 2, 29}));
  EXPECT_TRUE(is_valid_civil_date({2024, 2, 29}));
}

ColumnType type(Kind kind, std::uint8_t precision = 0, std::uint8_t scale = 0) {
  return ColumnType{kind, precision, scale, nullptr};
}

TEST(SqlLiteral, RendersConstantsExactly) {
  EXPECT_EQ(sql_literal(Cell{true}, type(Kind::kBoolean)), "true");
  EXPECT_EQ(sql_literal(Cell{std::int64_t{-5}}, type(Kind::kInt32)), "-5");
  EXPECT_EQ(sql_literal(Cell{std::string("it's")}, type(Kind::kVarchar)), "'it''s'");
  EXPECT_EQ(sql_literal(Cell{Int128{123456}}, type(Kind::kDecimal, 10, 2)), "1234.56");
  EXPECT_EQ(sql_literal(Cell{std::int64_t{19844}}, type(Kind::kDate)), "DATE '2024-05-01'");
  EXPECT_EQ(sql_literal(Cell{std::int64_t{0}}, type(Kind::kTimestampTz)),
            "TIMESTAMPTZ '1970-01-01 00:00:00+00'");
  EXPECT_EQ(sql_literal(Cell{std::int64_t{1500000}}, type(Kind::kTimestamp)),
            "TIMESTAMP '1970-01-01 00:00:01.500000'");
  EXPECT_EQ(sql_literal(Cell{std::int64_t{3600000000}}, type(Kind::kTime)), "TIME '01:00:00'");
  EXPECT_EQ(sql_literal(Cell{0.1}, type(Kind::kFloat64)), "0.1");
  EXPECT_EQ(sql_literal(Cell{std::string("\x01\xff", 2)}, type(Kind::kBlob)), "'\\x01\\xFF'::BLOB");
  EXPECT_EQ(sql_literal(Cell{IntervalValue{1, 2, 3000}}, type(Kind::kInterval)),
            "INTERVAL '1 months 2 days 3 microseconds'");
  EXPECT_EQ(sql_literal(Cell{}, type(Kind::kInt32)), std::nullopt);
  EXPECT_EQ(sql_literal(Cell{Unavailable{}}, type(Kind::kVarchar)), std::nullopt);
}

}  // namespace
}  // namespace cdc::types

namespace cdc::types {
namespace {

TEST(DecimalTextFits, CountsIntegerAndFractionDigitsIgnoringPaddingZeros) {
  EXPECT_TRUE(decimal_text_fits("3.14159", 38, 18));
  EXPECT_TRUE(decimal_text_fits("-0.000000000000000001", 38, 18));
  EXPECT_TRUE(decimal_text_fits("0.0000000000000000010000", 38, 18));  // trailing zeros: 18 digits
  EXPECT_TRUE(decimal_text_fits("99999999999999999999.999999999999999999", 38, 18));
  EXPECT_TRUE(decimal_text_fits("000123", 38, 18));
  EXPECT_TRUE(decimal_text_fits("0", 38, 18));
  EXPECT_FALSE(decimal_text_fits("0.0000000000000000001", 38, 18));  // 19 fractional digits
  EXPECT_FALSE(decimal_text_fits("100000000000000000000", 38, 18));  // 21 integer digits
  EXPECT_FALSE(decimal_text_fits("NaN", 38, 18));
  EXPECT_FALSE(decimal_text_fits("Infinity", 38, 18));
  EXPECT_FALSE(decimal_text_fits("-Infinity", 38, 18));
  EXPECT_FALSE(decimal_text_fits("1e5", 38, 18));
  EXPECT_FALSE(decimal_text_fits("", 38, 18));
  EXPECT_FALSE(decimal_text_fits("-", 38, 18));
  EXPECT_TRUE(decimal_text_fits("12.34", 4, 2));
  EXPECT_TRUE(decimal_from_text("1.5", 2) == 150);
  EXPECT_TRUE(decimal_from_text("-0.01", 2) == -1);
  EXPECT_TRUE(decimal_from_text("12", 2) == 1200);
  EXPECT_TRUE(decimal_from_text("12.3400", 2) == 1234);
  EXPECT_TRUE(decimal_from_text("99999999999999999999999999999999999999", 0) == pow10_int128(38) - 1);
  EXPECT_FALSE(decimal_from_text("1.234", 2).has_value());
  EXPECT_FALSE(decimal_from_text("NaN", 2).has_value());
  EXPECT_FALSE(decimal_text_fits("123.4", 4, 2));
}

}  // namespace
}  // namespace cdc::types
