// Debezium's unchanged-TOAST placeholder (`unavailable.value.placeholder`, default
// "__debezium_unavailable_value") in every per-type form the Postgres connector emits (private to
// src/decode). Sources: UnchangedToastedReplicationMessageColumn, UnchangedToastedPlaceholder and
// PostgresValueConverter (convertString, convertBinaryToBytes, handleUnknownData):
//   - text, varchar, json/jsonb, xml, enum, and any type without its own form: the plain string;
//   - bytea (binary.handling.mode=bytes): the placeholder's bytes, i.e. base64 "X19kZWJl...ZQ==";
//   - text[]/varchar[]/json[]/jsonb[]: ["__debezium_unavailable_value"];
//   - int4[]/int8[] and date[] (Debezium groups _date with _int4): the placeholder's byte values
//     [95,95,100,...] (28 numbers; date[] reads them as day numbers);
//   - bytea[]: [<placeholder bytes>]; uuid[]: [UUID.nameUUIDFromBytes(placeholder)] =
//     ["b68a35a7-17ad-35b3-af2a-ae46edb4545a"];
//   - hstore: {"__debezium_unavailable_value":"__debezium_unavailable_value"} as a JSON string (json
//     mode) or as a map (map mode);
//   - numeric and other non-text types fall back to the plain string (handleUnknownData); for bytes-based
//     encodings (Decimal, Bits) and VariableScaleDecimal's `value` the base64 form is also recognised.
// Only the default placeholder text is recognised.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "cdc/decode/table_schema.hpp"

namespace cdc::decode {

inline constexpr std::string_view kUnavailablePlaceholder = "__debezium_unavailable_value";
inline constexpr std::string_view kUnavailablePlaceholderBase64 = "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==";
inline constexpr std::string_view kUnavailablePlaceholderUuid = "b68a35a7-17ad-35b3-af2a-ae46edb4545a";
inline constexpr std::string_view kUnavailableHstoreJson =
    R"({"__debezium_unavailable_value":"__debezium_unavailable_value"})";

// True when `value` is the placeholder in the form Debezium uses for a column shaped like `field`.
bool is_unavailable_placeholder(simdjson::dom::element value, const FieldSpec& field);

}  // namespace cdc::decode
