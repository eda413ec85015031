#include "json_fields.hpp"

namespace cdc::decode {

namespace {

std::string_view type_name(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a decimal number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown JSON type";
}

Status missing(const FieldRef& field) {
  return Status::decode_error("Debezium envelope has no field '" + field.path() + "'");
}

Status wrong_type(const FieldRef& field, std::string_view expected, simdjson::dom::element actual) {
  return Status::decode_error("Debezium envelope field '" + field.path() + "' must be " +
                              std::string(expected) + ", got " + std::string(type_name(actual.type())));
}

}  // namespace

std::string FieldRef::path() const {
  if (parent_path.empty()) return std::string(key);
  std::string full(parent_path);
  full += '.';
  full += key;
  return full;
}

std::optional<simdjson::dom::element> find_non_null(const FieldRef& field) {
  simdjson::dom::element element;
  if (field.parent.at_key(field.key).get(element) != simdjson::SUCCESS || element.is_null())
    return std::nullopt;
  return element;
}

Result<simdjson::dom::object> require_object(const FieldRef& field) {
  std::optional<simdjson::dom::element> element = find_non_null(field);
  if (!element) return missing(field);
  simdjson::dom::object object;
  if (element->get_object().get(object) != simdjson::SUCCESS) return wrong_type(field, "an object", *element);
  return object;
}

Result<std::string_view> require_string(const FieldRef& field) {
  CDC_ASSIGN_OR_RETURN(std::optional<std::string_view> text, optional_string(field));
  if (!text) return missing(field);
  return *text;
}

Result<std::int64_t> require_int64(const FieldRef& field) {
  CDC_ASSIGN_OR_RETURN(std::optional<std::int64_t> number, optional_int64(field));
  if (!number) return missing(field);
  return *number;
}

Result<std::optional<std::string_view>> optional_string(const FieldRef& field) {
  std::optional<simdjson::dom::element> element = find_non_null(field);
  if (!element) return std::optional<std::string_view>();
  std::string_view text;
  if (element->get_string().get(text) != simdjson::SUCCESS) return wrong_type(field, "a string", *element);
  return std::optional<std::string_view>(text);
}

Result<std::optional<std::int64_t>> optional_int64(const FieldRef& field) {
  std::optional<simdjson::dom::element> element = find_non_null(field);
  if (!element) return std::optional<std::int64_t>();
  std::int64_t number = 0;
  if (element->get_int64().get(number) != simdjson::SUCCESS) {
    return wrong_type(field, "a 64-bit integer", *element);
  }
  return std::optional<std::int64_t>(number);
}

}  // namespace cdc::decode
