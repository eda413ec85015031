#include "cdc/decode/schema_parser.hpp"

#include <simdjson.h>

#include "cdc/types/sql_literal.hpp"
#include "cdc/types/type_map.hpp"
#include "json_fields.hpp"
#include "value_decoder.hpp"

namespace cdc::decode {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using types::ConnectSchema;

Result<object> parse_object(simdjson::dom::parser& parser, std::string_view json, std::string_view what) {
  element root;
  object result;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(result) != simdjson::SUCCESS) {
    return Status::decode_error(std::string(what) + " is not a JSON object");
  }
  return result;
}

Result<ConnectSchema> read_connect_schema(object schema, std::string_view path) {
  ConnectSchema result;
  CDC_ASSIGN_OR_RETURN(std::string_view type, require_string({schema, path, "type"}));
  result.type = type;
  CDC_ASSIGN_OR_RETURN(std::optional<std::string_view> name, optional_string({schema, path, "name"}));
  result.name = name.value_or("");
  if (std::optional<element> parameters = find_non_null({schema, path, "parameters"})) {
    object map;
    if (parameters->get_object().get(map) == simdjson::SUCCESS) {
      for (auto [key, value] : map) {
        std::string_view text;
        if (value.get_string().get(text) == simdjson::SUCCESS) result.parameters.emplace_back(key, text);
      }
    }
  }
  if (result.type == "array") {
    const std::string items_path = std::string(path) + ".items";
    CDC_ASSIGN_OR_RETURN(object items, require_object({schema, path, "items"}));
    CDC_ASSIGN_OR_RETURN(ConnectSchema element_schema, read_connect_schema(items, items_path));
    result.items = std::make_shared<const ConnectSchema>(std::move(element_schema));
  }
  return result;
}

// The `default` is encoded like a value of the field, so it is decoded like one and rendered as SQL.
std::optional<std::string> default_literal(object schema, const FieldSpec& field) {
  std::optional<element> value = find_non_null({schema, "", "default"});
  if (!value) return std::nullopt;
  Result<types::Cell> cell = decode_value(*value, field);
  if (!cell.is_ok()) return std::nullopt;
  return types::sql_literal(*cell, field.type);
}

Result<FieldSpec> read_field(object schema, std::string_view path) {
  CDC_ASSIGN_OR_RETURN(std::string_view name, require_string({schema, path, "field"}));
  const std::string field_path = std::string(path) + "." + std::string(name);
  CDC_ASSIGN_OR_RETURN(ConnectSchema connect, read_connect_schema(schema, field_path));
  Result<FieldSpec> mapped = types::map_connect_schema(connect);
  if (!mapped.is_ok()) return mapped.status().with_context("column '" + std::string(name) + "'");
  FieldSpec field = std::move(mapped).value();
  field.name = name;
  bool optional = true;
  if (schema["optional"].get_bool().get(optional) == simdjson::SUCCESS) field.optional = optional;
  field.default_sql = default_literal(schema, field);
  return field;
}

// The `fields` array of a struct schema, as objects.
Result<std::vector<object>> struct_fields(object schema, std::string_view path) {
  simdjson::dom::array fields;
  if (schema["fields"].get_array().get(fields) != simdjson::SUCCESS) {
    return Status::decode_error("Debezium schema '" + std::string(path) + "' has no 'fields' array");
  }
  std::vector<object> result;
  for (element field : fields) {
    object field_object;
    if (field.get_object().get(field_object) != simdjson::SUCCESS) {
      return Status::decode_error("Debezium schema '" + std::string(path) + ".fields' holds a non-object");
    }
    result.push_back(field_object);
  }
  return result;
}

// The row struct of the envelope: `after` (or `before`, which has the same schema).
Result<object> row_schema(object envelope) {
  CDC_ASSIGN_OR_RETURN(std::vector<object> fields, struct_fields(envelope, "schema"));
  for (std::string_view wanted : {"after", "before"}) {
    for (object field : fields) {
      std::string_view name;
      if (field["field"].get_string().get(name) == simdjson::SUCCESS && name == wanted) return field;
    }
  }
  return Status::decode_error(
      "value schema has no 'after' struct: this is not a Debezium change-event envelope (is an SMT such as "
      "ExtractNewRecordState unwrapping it?)");
}

Status read_key(object key_schema, TableSchema& table) {
  CDC_ASSIGN_OR_RETURN(std::vector<object> fields, struct_fields(key_schema, "key.schema"));
  for (object field : fields) {
    CDC_ASSIGN_OR_RETURN(std::string_view name, require_string({field, "key.schema.fields", "field"}));
    std::size_t index = 0;
    while (index < table.fields.size() && table.fields[index].name != name) ++index;
    if (index == table.fields.size()) {
      return Status::decode_error("key column '" + std::string(name) +
                                  "' is not a column of the table's value");
    }
    table.key_indexes.push_back(index);
  }
  return Status::ok();
}

}  // namespace

Result<std::shared_ptr<const TableSchema>> parse_table_schema(std::string_view value_schema_json,
                                                              std::string_view key_schema_json,
                                                              std::uint64_t fingerprint) {
  simdjson::dom::parser parser;
  CDC_ASSIGN_OR_RETURN(object envelope, parse_object(parser, value_schema_json, "value schema"));
  CDC_ASSIGN_OR_RETURN(object row, row_schema(envelope));
  CDC_ASSIGN_OR_RETURN(std::vector<object> fields, struct_fields(row, "schema.after"));
  auto table = std::make_shared<TableSchema>();
  table->fingerprint = fingerprint;
  table->fields.reserve(fields.size());
  for (object field : fields) {
    CDC_ASSIGN_OR_RETURN(FieldSpec spec, read_field(field, "schema.after"));
    table->fields.push_back(std::move(spec));
  }
  if (!key_schema_json.empty()) {
    simdjson::dom::parser key_parser;
    CDC_ASSIGN_OR_RETURN(object key, parse_object(key_parser, key_schema_json, "key schema"));
    CDC_RETURN_IF_ERROR(read_key(key, *table));
  }
  return std::shared_ptr<const TableSchema>(std::move(table));
}

}  // namespace cdc::decode
