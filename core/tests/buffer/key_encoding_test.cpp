#include "cdc/buffer/key_encoding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "support/events.hpp"

namespace cdc::buffer {
namespace {

using namespace cdc::test;  // NOLINT(google-build-using-namespace)

TEST(KeyEncodingTest, EqualKeysEncodeEqually) {
  EXPECT_EQ(encode_key({int_cell(42), text("a")}), encode_key({int_cell(42), text("a")}));
  EXPECT_EQ(encode_key({list({int_cell(1), null_cell()})}), encode_key({list({int_cell(1), null_cell()})}));
}

TEST(KeyEncodingTest, TypesAreTagged) {
  EXPECT_NE(encode_key({int_cell(1)}), encode_key({text("1")}));
  EXPECT_NE(encode_key({int_cell(1)}), encode_key({decimal(1)}));
  EXPECT_NE(encode_key({int_cell(0)}), encode_key({null_cell()}));
  EXPECT_NE(encode_key({boolean(true)}), encode_key({int_cell(1)}));
}

TEST(KeyEncodingTest, LengthsSeparateTexts) {
  EXPECT_NE(encode_key({text("ab"), text("c")}), encode_key({text("a"), text("bc")}));
  EXPECT_NE(encode_key({text("")}), encode_key({null_cell()}));
  EXPECT_NE(encode_key({list({int_cell(1)}), int_cell(2)}), encode_key({list({int_cell(1), int_cell(2)})}));
}

TEST(KeyEncodingTest, LongTextsUseMultiByteLengths) {
  const std::string long_text(300, 'x');
  EXPECT_NE(encode_key({text(long_text)}), encode_key({text(long_text + "x")}));
  EXPECT_EQ(encode_key({text(long_text)}).size(), 1 + 2 + 300U);
}

TEST(KeyEncodingTest, FloatsCompareLikePostgres) {
  EXPECT_EQ(encode_key({real(0.0)}), encode_key({real(-0.0)}));
  EXPECT_EQ(encode_key({real(std::nan("1"))}), encode_key({real(-std::numeric_limits<double>::quiet_NaN())}));
  EXPECT_NE(encode_key({real(1.0)}), encode_key({real(2.0)}));
}

TEST(KeyEncodingTest, IntervalsAndDecimalsEncodeAllTheirParts) {
  EXPECT_NE(encode_key({interval(1, 0, 0)}), encode_key({interval(0, 30, 0)}));
  EXPECT_NE(encode_key({decimal(types::Int128(1) << 64)}), encode_key({decimal(1)}));
}

}  // namespace
}  // namespace cdc::buffer
