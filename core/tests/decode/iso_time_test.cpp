#include "cdc/decode/iso_time.hpp"

#include <gtest/gtest.h>

#include "cdc/decode/base64.hpp"

namespace cdc::decode {
namespace {

TEST(ZonedTimestamp, ParsesDebeziumForms) {
  EXPECT_EQ(*parse_zoned_timestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_zoned_timestamp("1970-01-01T00:00Z"), 0);
  EXPECT_EQ(*parse_zoned_timestamp("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(*parse_zoned_timestamp("1970-01-01T00:00:00-00:00:30"), 30000000);
  EXPECT_EQ(*parse_zoned_timestamp("1970-01-01T00:00:00.1Z"), 100000);
  EXPECT_EQ(*parse_zoned_timestamp("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(*parse_zoned_timestamp("infinity"), kTimestampInfinity);
  EXPECT_EQ(*parse_zoned_timestamp("-infinity"), kTimestampNegativeInfinity);
}

TEST(ZonedTimestamp, RejectsMalformedText) {
  for (const char* text :
       {"", "2018-06-20", "2018-06-20T25:00:00Z", "2018-06-20T13:13:16", "2018-06-20T13:13:16.Z",
        "2018-13-01T00:00:00Z", "2018-06-20T13:13:16Zjunk", "+294248-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_zoned_timestamp(text).is_ok()) << text;
  }
}

TEST(IsoInterval, ParsesPartsExactly) {
  EXPECT_EQ(*parse_iso_interval("PT0S"), (types::IntervalValue{0, 0, 0}));
  EXPECT_EQ(*parse_iso_interval("P2W"), (types::IntervalValue{0, 14, 0}));
  EXPECT_EQ(*parse_iso_interval("P178000000Y"), (types::IntervalValue{2136000000, 0, 0}));
  EXPECT_EQ(*parse_iso_interval("-P1D"), (types::IntervalValue{0, -1, 0}));
  EXPECT_EQ(*parse_iso_interval("P0Y0M0DT0H0M0.000001S"), (types::IntervalValue{0, 0, 1000}));
  for (const char* text : {"", "P", "1D", "P1.5D", "P1X", "PT1D", "P1Y2", "P999999999Y"}) {
    EXPECT_FALSE(parse_iso_interval(text).is_ok()) << text;
  }
}

TEST(Base64, DecodesAndRejects) {
  EXPECT_EQ(*decode_base64("AeJA"), std::string("\x01\xe2\x40"));
  EXPECT_EQ(*decode_base64("/2o="), std::string("\xff\x6a"));
  EXPECT_EQ(*decode_base64("BQ=="), std::string("\x05"));
  EXPECT_EQ(*decode_base64(""), std::string());
  for (const char* text : {"A", "AB=C", "====", "A===", "AeJ@", "AeJA="}) {
    EXPECT_FALSE(decode_base64(text).has_value()) << text;
  }
  EXPECT_EQ(encode_base64("__debezium_unavailable_value"), "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==");
  EXPECT_EQ(*decode_base64(encode_base64(std::string("\0\1\2\3\4", 5))), std::string("\0\1\2\3\4", 5));
}

}  // namespace
}  // namespace cdc::decode
