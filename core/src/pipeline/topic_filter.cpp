#include "cdc/pipeline/topic_filter.hpp"

#include <utility>

namespace cdc::pipeline {

namespace {

constexpr std::string_view kSignalTable = "debezium_signal";

}  // namespace

TopicFilter::TopicFilter(std::string prefix, std::set<std::string> include_tables,
                         std::set<std::string> exclude_tables)
    : prefix_dot_(std::move(prefix) + "."),
      include_tables_(include_tables.begin(), include_tables.end()),
      exclude_tables_(exclude_tables.begin(), exclude_tables.end()) {}

std::optional<std::string> TopicFilter::table_of(std::string_view topic) const {
  if (topic.empty() || topic.front() == '_' || !topic.starts_with(prefix_dot_)) return std::nullopt;
  const std::string_view table = topic.substr(prefix_dot_.size());  // "schema.table"
  // A schema may itself contain dots only in theory; the table is what follows the last one.
  const std::size_t dot = table.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == table.size()) return std::nullopt;
  if (table.substr(dot + 1) == kSignalTable) return std::nullopt;
  if (exclude_tables_.contains(table)) return std::nullopt;
  if (!include_tables_.empty() && !include_tables_.contains(table)) return std::nullopt;
  return std::string(table);
}

}  // namespace cdc::pipeline
