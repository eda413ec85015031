#include "cdc/pipeline/batch.hpp"

#include <functional>
#include <string_view>

namespace cdc::pipeline {

namespace {

// boost::hash_combine's mixing step, widened to 64 bits.
void mix(std::uint64_t& seed, std::uint64_t value) noexcept {
  seed ^= value + 0x9E3779B97F4A7C15ULL + (seed << 6) + (seed >> 2);
}

void mix_text(std::uint64_t& seed, std::string_view text) noexcept {
  mix(seed, std::hash<std::string_view>{}(text));
  mix(seed, text.size());  // so that ("ab", "c") and ("a", "bc") differ
}

}  // namespace

std::uint64_t schema_fingerprint(const std::vector<Column>& columns,
                                 const std::vector<std::string>& key_columns) noexcept {
  std::uint64_t seed = columns.size();
  for (const Column& column : columns) {
    mix_text(seed, column.name);
    mix_text(seed, column.duck_type);
    mix(seed, (column.nullable ? 1U : 0U) | (column.key ? 2U : 0U) | (column.default_sql ? 4U : 0U));
    if (column.default_sql) mix_text(seed, *column.default_sql);
  }
  mix(seed, key_columns.size());
  for (const std::string& key : key_columns) mix_text(seed, key);
  return seed;
}

std::string BadRecord::describe() const {
  std::string text =
      "topic '" + topic + "' partition " + std::to_string(partition) + " offset " + std::to_string(offset);
  if (!table.empty() || !column.empty()) {
    text += " (";
    if (!table.empty()) text += "table " + table;
    if (!table.empty() && !column.empty()) text += ", ";
    if (!column.empty()) text += "column '" + column + "'";
    text += ")";
  }
  return text + ": " + reason;
}

}  // namespace cdc::pipeline
