#include "row_decoder.hpp"

#include <string>

#include "value_decoder.hpp"

namespace cdc::decode {

namespace {

std::size_t find_field(const TableSchema& schema, std::string_view name) {
  std::size_t index = 0;
  while (index < schema.fields.size() && schema.fields[index].name != name) ++index;
  return index;
}

}  // namespace

Status decode_row(simdjson::dom::object image, const TableSchema& schema, types::Row& row,
                  bool placeholders) {
  const std::size_t count = schema.fields.size();
  row.assign(count, types::Cell{});
  std::size_t next = 0;  // JsonConverter writes the fields in schema order, so this is usually a hit
  for (auto [name, value] : image) {
    std::size_t index = next < count && schema.fields[next].name == name ? next : find_field(schema, name);
    if (index == count) {
      return Status::decode_error("row has column '" + std::string(name) +
                                  "', which its schema does not declare");
    }
    CDC_ASSIGN_OR_RETURN(row[index], decode_value(value, schema.fields[index], placeholders));
    next = index + 1;
  }
  return Status::ok();
}

Status decode_key(simdjson::dom::object key, const TableSchema& schema, types::Row& out) {
  out.clear();
  out.reserve(schema.key_indexes.size());
  for (std::size_t index : schema.key_indexes) {
    const FieldSpec& field = schema.fields[index];
    simdjson::dom::element value;
    if (key[field.name].get(value) != simdjson::SUCCESS) {
      return Status::decode_error("Kafka key has no column '" + field.name + "'");
    }
    CDC_ASSIGN_OR_RETURN(types::Cell cell, decode_value(value, field));
    out.push_back(std::move(cell));
  }
  return Status::ok();
}

void key_from_row(const types::Row& row, const TableSchema& schema, types::Row& out) {
  out.clear();
  out.reserve(schema.key_indexes.size());
  for (std::size_t index : schema.key_indexes) out.push_back(row[index]);
}

}  // namespace cdc::decode
