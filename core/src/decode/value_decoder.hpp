// One field value of a Debezium row image -> Cell, per the field's Encoding (private to src/decode).
// NULL -> monostate; any form of the unchanged-TOAST placeholder -> Unavailable; a value that cannot be
// converted exactly -> an error naming the column, the reason and the value (truncated).
#pragma once

#include <simdjson.h>

#include "cdc/decode/table_schema.hpp"
#include "cdc/status.hpp"
#include "cdc/types/cell.hpp"

namespace cdc::decode {

// `placeholders`: whether Debezium's unchanged-TOAST placeholder can occur here (update and delete images);
// in an insert or snapshot read the placeholder's text is a real value and is decoded as one.
Result<types::Cell> decode_value(simdjson::dom::element value, const FieldSpec& field,
                                 bool placeholders = true);

}  // namespace cdc::decode
