// Substring assertion for the tests (Debian's libgtest-dev ships without gmock's HasSubstr).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace cdc::test {

// EXPECT_TRUE(contains(status.message(), "partition 3")) prints both strings when it fails.
inline ::testing::AssertionResult contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

}  // namespace cdc::test
