#include "cdc/decode/op.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cdc::decode {
namespace {

TEST(Op, EveryCodeRoundTrips) {
  for (Op op : {Op::kCreate, Op::kUpdate, Op::kDelete, Op::kRead, Op::kTruncate, Op::kMessage}) {
    std::string code(1, op_code(op));
    EXPECT_EQ(op_from_code(code), op) << code;
  }
}

TEST(Op, CodesAreDebeziums) {
  EXPECT_EQ(op_from_code("c"), Op::kCreate);
  EXPECT_EQ(op_from_code("u"), Op::kUpdate);
  EXPECT_EQ(op_from_code("d"), Op::kDelete);
  EXPECT_EQ(op_from_code("r"), Op::kRead);
  EXPECT_EQ(op_from_code("t"), Op::kTruncate);
  EXPECT_EQ(op_from_code("m"), Op::kMessage);
}

TEST(Op, RejectsAnythingElse) {
  for (const char* code : {"", "x", "C", "cc", "create", " c"}) {
    EXPECT_EQ(op_from_code(code), std::nullopt) << '"' << code << '"';
  }
}

}  // namespace
}  // namespace cdc::decode
