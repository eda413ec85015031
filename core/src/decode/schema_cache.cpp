#include "cdc/decode/schema_cache.hpp"

#include <functional>

#include "cdc/decode/schema_parser.hpp"

namespace cdc::decode {

std::uint64_t schema_fingerprint(std::string_view value_schema_json,
                                 std::string_view key_schema_json) noexcept {
  const std::uint64_t value_hash = std::hash<std::string_view>{}(value_schema_json);
  const std::uint64_t key_hash = std::hash<std::string_view>{}(key_schema_json);
  return value_hash ^ (key_hash + 0x9E3779B97F4A7C15ULL + (value_hash << 6) + (value_hash >> 2));
}

Result<std::shared_ptr<const TableSchema>> SchemaCache::get(std::string_view value_schema_json,
                                                            std::string_view key_schema_json) {
  const std::uint64_t fingerprint = schema_fingerprint(value_schema_json, key_schema_json);
  auto found = entries_.find(fingerprint);
  if (found != entries_.end() && found->second.value_schema_json == value_schema_json &&
      found->second.key_schema_json == key_schema_json) {
    return found->second.schema;
  }
  ++parse_count_;
  CDC_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> schema,
                       parse_table_schema(value_schema_json, key_schema_json, fingerprint));
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[fingerprint] = Entry{std::string(value_schema_json), std::string(key_schema_json), schema};
  return schema;
}

bool SchemaCache::set_topic_schema(std::string_view topic, std::shared_ptr<const TableSchema> schema,
                                   std::string_view value_schema_json, std::string_view key_schema_json) {
  auto found = topics_.find(topic);
  if (found == topics_.end()) {
    topics_.emplace(std::string(topic), TopicSchema{std::move(schema), std::string(value_schema_json),
                                                    std::string(key_schema_json)});
    return true;
  }
  TopicSchema& current = found->second;
  // The same cache entry, or the same texts parsed again after an eviction.
  const bool changed = current.schema != schema &&
                       (!current.schema || !schema || current.schema->fingerprint != schema->fingerprint);
  current.schema = std::move(schema);
  if (changed || current.value_schema_json != value_schema_json)
    current.value_schema_json = value_schema_json;
  if (changed || current.key_schema_json != key_schema_json) current.key_schema_json = key_schema_json;
  return changed;
}

const SchemaCache::TopicSchema* SchemaCache::topic(std::string_view topic) const {
  auto found = topics_.find(topic);
  return found == topics_.end() ? nullptr : &found->second;
}

std::shared_ptr<const TableSchema> SchemaCache::topic_schema(std::string_view topic) const {
  const TopicSchema* state = this->topic(topic);
  return state ? state->schema : nullptr;
}

}  // namespace cdc::decode
