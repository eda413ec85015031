// Builds a FieldSpec from one Connect field schema, through the real schema parser (test helper).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "cdc/decode/schema_parser.hpp"

namespace cdc::test {

// `field_schema`: {"type": ..., "field": "c", ...} as JsonConverter writes it.
inline decode::FieldSpec field_from_schema(const std::string& field_schema) {
  const std::string value_schema =
      R"({"type":"struct","fields":[{"type":"struct","fields":[)" + field_schema +
      R"(],"optional":true,"name":"t.Value","field":"after"}],"name":"t.Envelope"})";
  Result<std::shared_ptr<const decode::TableSchema>> schema = decode::parse_table_schema(value_schema, "", 0);
  EXPECT_TRUE(schema.is_ok()) << schema.status().to_string();
  if (!schema.is_ok() || (*schema)->fields.empty()) return decode::FieldSpec{};
  return (*schema)->fields.front();
}

}  // namespace cdc::test
