#include "toast_placeholder.hpp"

namespace cdc::decode {

namespace {

bool is_bytes_encoding(Encoding encoding) {
  return encoding == Encoding::kBase64Bytes || encoding == Encoding::kConnectDecimal ||
         encoding == Encoding::kBits;
}

// The uuid form only exists inside uuid[]: a uuid column's placeholder is the plain string.
bool string_is_placeholder(std::string_view text, const FieldSpec& field, bool array_element) {
  if (text == kUnavailablePlaceholder) return true;
  if (is_bytes_encoding(field.encoding) && text == kUnavailablePlaceholderBase64) return true;
  if (field.type.kind == types::Kind::kJson && text == kUnavailableHstoreJson) return true;
  return array_element && field.type.kind == types::Kind::kUuid && text == kUnavailablePlaceholderUuid;
}

// [95,95,100,...]: the placeholder's bytes as numbers (int4[], int8[], date[]).
bool is_byte_value_list(simdjson::dom::array array) {
  if (array.size() != kUnavailablePlaceholder.size()) return false;
  std::size_t i = 0;
  for (simdjson::dom::element element : array) {
    std::int64_t number = 0;
    if (element.get_int64().get(number) != simdjson::SUCCESS) return false;
    if (number != static_cast<unsigned char>(kUnavailablePlaceholder[i++])) return false;
  }
  return true;
}

bool array_is_placeholder(simdjson::dom::array array, const FieldSpec& field) {
  if (!field.element) return false;
  if (array.size() == 1) {
    std::string_view text;
    return array.at(0).get_string().get(text) == simdjson::SUCCESS &&
           string_is_placeholder(text, *field.element, true);
  }
  const Encoding element = field.element->encoding;
  return (element == Encoding::kInteger || element == Encoding::kDateDays) && is_byte_value_list(array);
}

bool object_is_placeholder(simdjson::dom::object object, const FieldSpec& field) {
  std::string_view text;
  if (field.encoding == Encoding::kVariableScaleDecimal) {
    return object["value"].get_string().get(text) == simdjson::SUCCESS &&
           text == kUnavailablePlaceholderBase64;
  }
  if (field.encoding != Encoding::kJsonText || object.size() != 1) return false;
  return object[kUnavailablePlaceholder].get_string().get(text) == simdjson::SUCCESS &&
         text == kUnavailablePlaceholder;
}

}  // namespace

bool is_unavailable_placeholder(simdjson::dom::element value, const FieldSpec& field) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return string_is_placeholder(text, field, false);
  simdjson::dom::array array;
  if (field.encoding == Encoding::kArray && value.get_array().get(array) == simdjson::SUCCESS) {
    return array_is_placeholder(array, field);
  }
  simdjson::dom::object object;
  if (value.get_object().get(object) == simdjson::SUCCESS) return object_is_placeholder(object, field);
  return false;
}

}  // namespace cdc::decode
