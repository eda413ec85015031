#include "cdc/status.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace cdc {
namespace {

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.is_ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.to_string(), "OK");
}

TEST(Status, ErrorCarriesCodeAndMessage) {
  Status status = Status::decode_error("missing field 'payload.op'");
  EXPECT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), StatusCode::kDecodeError);
  EXPECT_EQ(status.message(), "missing field 'payload.op'");
  EXPECT_EQ(status.to_string(), "DecodeError: missing field 'payload.op'");
}

TEST(Status, WithContextPrefixesErrorsOnly) {
  EXPECT_EQ(Status::kafka_error("timed out").with_context("commit").message(), "commit: timed out");
  EXPECT_TRUE(Status::ok().with_context("commit").is_ok());
}

TEST(Status, CodeNames) {
  EXPECT_EQ(status_code_name(StatusCode::kInvalidArgument), "InvalidArgument");
  EXPECT_EQ(status_code_name(StatusCode::kKafkaError), "KafkaError");
  EXPECT_EQ(status_code_name(StatusCode::kInternal), "Internal");
}

TEST(Result, HoldsValue) {
  Result<std::string> result(std::string("users"));
  ASSERT_TRUE(result.is_ok());
  EXPECT_TRUE(result.status().is_ok());
  EXPECT_EQ(*result, "users");
  EXPECT_EQ(result->size(), 5U);
}

TEST(Result, HoldsError) {
  Result<int> result(Status::invalid_argument("bad"));
  EXPECT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "bad");
}

TEST(Result, OkStatusBecomesInternalError) {
  Result<int> result(Status::ok());
  EXPECT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

TEST(Result, MoveOnlyValue) {
  Result<std::unique_ptr<int>> result(std::make_unique<int>(7));
  std::unique_ptr<int> value = std::move(result).value();
  EXPECT_EQ(*value, 7);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> result(Status::decode_error("broken"));
  EXPECT_DEATH(static_cast<void>(result.value()), "broken");
}

Result<int> parse_positive(int input) {
  if (input <= 0) return Status::invalid_argument("not positive: " + std::to_string(input));
  return input;
}

Status check_twice(int input) {
  CDC_ASSIGN_OR_RETURN(int first, parse_positive(input));
  CDC_ASSIGN_OR_RETURN(int second, parse_positive(first - 1));
  CDC_RETURN_IF_ERROR(second > 100 ? Status::invalid_argument("too big") : Status::ok());
  return Status::ok();
}

TEST(Result, MacrosPropagateTheFirstError) {
  EXPECT_TRUE(check_twice(5).is_ok());
  EXPECT_EQ(check_twice(1).message(), "not positive: 0");
  EXPECT_EQ(check_twice(-3).message(), "not positive: -3");
  EXPECT_EQ(check_twice(500).message(), "too big");
}

}  // namespace
}  // namespace cdc
