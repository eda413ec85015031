// Reads a table's shape from the Connect schemas embedded in a Debezium record (JsonConverter with
// schemas.enable=true): the columns are the fields of the value envelope's `after` struct (or `before`),
// each mapped through types/type_map.hpp, with `optional` and a constant `default` rendered as a SQL
// literal; the key columns are the fields of the key's schema. Called once per distinct schema text (see
// SchemaCache), never per event.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "cdc/decode/table_schema.hpp"
#include "cdc/status.hpp"

namespace cdc::decode {

// `value_schema_json`: the value's "schema" object. `key_schema_json`: the key's "schema" object, or ""
// for a record without a key (a table without primary key: key_indexes stays empty).
Result<std::shared_ptr<const TableSchema>> parse_table_schema(std::string_view value_schema_json,
                                                              std::string_view key_schema_json,
                                                              std::uint64_t fingerprint);

}  // namespace cdc::decode
