// The one mapping from a Kafka Connect field schema (as Debezium's Postgres connector writes it) to the
// DuckDB column type and the wire encoding the value decoder must apply. It is table-driven: one row per
// Debezium/Connect semantic name (type_map.cpp), with the plain Connect type as the fallback for names
// the table does not know.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/decode/table_schema.hpp"
#include "cdc/status.hpp"

namespace cdc::types {

// What JsonConverter writes about one field schema: {"type", "name", "parameters", "items"}.
struct ConnectSchema {
  // JsonConverter's type names: int8, int16, int32, int64, float (FLOAT32), double (FLOAT64), boolean,
  // string, bytes, array, map, struct.
  std::string type;
  std::string name;  // semantic name, "" when absent
  std::vector<std::pair<std::string, std::string>> parameters;
  std::shared_ptr<const ConnectSchema> items;  // array element schema

  [[nodiscard]] std::optional<std::string_view> parameter(std::string_view key) const;
};

// The ColumnType, Encoding and encoding details (element, bit length, decimal scale) of `schema`. The
// result's name, optional and default_sql are left for the caller. Fails only for a schema that cannot
// describe a column (an array without items, an unknown Connect type, a malformed parameter).
Result<decode::FieldSpec> map_connect_schema(const ConnectSchema& schema);

// Every semantic name the table maps explicitly, for documentation and the completeness test.
std::vector<std::string_view> mapped_semantic_names();

}  // namespace cdc::types
