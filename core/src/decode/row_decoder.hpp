// Row images and keys of a change event -> Cells, in the TableSchema's column order (private to
// src/decode).
#pragma once

#include <simdjson.h>

#include "cdc/decode/table_schema.hpp"
#include "cdc/status.hpp"
#include "cdc/types/cell.hpp"

namespace cdc::decode {

// `image` (payload.after or payload.before) -> one Cell per schema field; a column absent from the image
// is NULL, a key not in the schema is an error. `placeholders`: see decode_value.
Status decode_row(simdjson::dom::object image, const TableSchema& schema, types::Row& row,
                  bool placeholders = true);

// The key columns (schema.key_indexes order) from the Kafka key's payload object.
Status decode_key(simdjson::dom::object key, const TableSchema& schema, types::Row& out);

// The key columns copied out of a decoded row.
void key_from_row(const types::Row& row, const TableSchema& schema, types::Row& out);

}  // namespace cdc::decode
