// Typed field access on simdjson DOM objects with errors that name the field's path (private to
// src/decode). Paths are dotted from the envelope root, e.g. "payload.source.lsn".
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/status.hpp"

namespace cdc::decode {

// A field of `parent` (which sits at `parent_path`, "" for the root) with its path for error messages.
struct FieldRef {
  simdjson::dom::object parent;
  std::string_view parent_path;
  std::string_view key;

  [[nodiscard]] std::string path() const;
};

// The field's value, or nullopt when it is absent or JSON null.
std::optional<simdjson::dom::element> find_non_null(const FieldRef& field);

Result<simdjson::dom::object> require_object(const FieldRef& field);
Result<std::string_view> require_string(const FieldRef& field);
Result<std::int64_t> require_int64(const FieldRef& field);

// Absent or null gives nullopt; present with another type is an error.
Result<std::optional<std::string_view>> optional_string(const FieldRef& field);
Result<std::optional<std::int64_t>> optional_int64(const FieldRef& field);

}  // namespace cdc::decode
