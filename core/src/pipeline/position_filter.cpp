#include "cdc/pipeline/position_filter.hpp"

namespace cdc::pipeline {

std::string table_name(const decode::ChangeEvent& event) {
  return event.source_schema + "." + event.source_table;
}

bool PositionFilter::is_duplicate(const decode::ChangeEvent& event) const {
  std::optional<decode::SourcePosition> position = event.position();
  if (!position) return false;
  const std::string table = table_name(event);
  auto entry = marks_.find(table);
  if (entry != marks_.end() && *position <= entry->second.position) return true;
  auto loaded = loaded_.find(table);
  return loaded != loaded_.end() && event.tx_id && loaded->second.saw(*event.tx_id);
}

void PositionFilter::raise(const std::string& table, const std::string& topic,
                           decode::SourcePosition position) {
  auto [entry, inserted] = marks_.try_emplace(table, Mark{position, topic});
  if (inserted) return;
  if (position > entry->second.position) entry->second.position = position;
  entry->second.topic = topic;
}

void PositionFilter::reset(const std::map<std::string, decode::SourcePosition>& applied,
                           std::map<std::string, LoadedSnapshot> loaded) {
  loaded_.clear();
  for (auto& [table, snapshot] : loaded) loaded_.emplace(table, std::move(snapshot));
  marks_.clear();
  for (const auto& [table, position] : applied) marks_[table] = Mark{position, ""};
}

void PositionFilter::forget_topics(const std::set<std::string>& topics) {
  std::erase_if(marks_, [&](const auto& entry) { return topics.contains(entry.second.topic); });
}

std::optional<decode::SourcePosition> PositionFilter::mark(const std::string& table) const {
  auto entry = marks_.find(table);
  if (entry == marks_.end()) return std::nullopt;
  return entry->second.position;
}

}  // namespace cdc::pipeline
