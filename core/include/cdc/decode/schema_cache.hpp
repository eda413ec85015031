// Parsed table schemas keyed by the exact text of the Connect schemas that describe them, so a schema is
// parsed once, not per event; and, per topic, the schema of the last event, to flag schema changes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cdc/decode/table_schema.hpp"
#include "cdc/status.hpp"

namespace cdc::decode {

// A cheap 64-bit hash of the value and key schema texts (equal texts, equal fingerprints).
std::uint64_t schema_fingerprint(std::string_view value_schema_json,
                                 std::string_view key_schema_json) noexcept;

class SchemaCache {
 public:
  // The schema for these texts: from the cache when the same texts were seen before (compared in full,
  // so a hash collision cannot return a wrong schema), else parsed and remembered.
  Result<std::shared_ptr<const TableSchema>> get(std::string_view value_schema_json,
                                                 std::string_view key_schema_json);

  // The schema of the last change event on a topic, with the texts it was parsed from (the decoder
  // compares a new record's texts with these before doing any hashing).
  struct TopicSchema {
    std::shared_ptr<const TableSchema> schema;
    std::string value_schema_json;
    std::string key_schema_json;
  };

  // Makes `schema` the current one of `topic`; true when it differs from the previous event's schema on
  // that topic, or when it is the first schema seen on the topic in this process.
  bool set_topic_schema(std::string_view topic, std::shared_ptr<const TableSchema> schema,
                        std::string_view value_schema_json, std::string_view key_schema_json);
  // The current schema of `topic`, null if none was seen.
  [[nodiscard]] const TopicSchema* topic(std::string_view topic) const;
  [[nodiscard]] std::shared_ptr<const TableSchema> topic_schema(std::string_view topic) const;

  [[nodiscard]] std::size_t parse_count() const noexcept { return parse_count_; }

 private:
  struct Entry {
    std::string value_schema_json;
    std::string key_schema_json;
    std::shared_ptr<const TableSchema> schema;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };

  // Far more distinct schemas than any real stream has; reaching it means schemas churn, so start over.
  static constexpr std::size_t kMaxEntries = 4096;

  std::unordered_map<std::uint64_t, Entry> entries_;
  std::unordered_map<std::string, TopicSchema, StringHash, std::equal_to<>> topics_;
  std::size_t parse_count_ = 0;
};

}  // namespace cdc::decode
