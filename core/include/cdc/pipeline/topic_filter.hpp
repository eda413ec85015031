// Which Kafka topics are Debezium table topics this source reads: `<prefix>.<schema>.<table>`, optionally
// limited to an include list. Pure, so the rules are unit-tested without a broker.
//
// Not table topics: `<prefix>.transaction` and `<prefix>.message` (no schema.table after the prefix),
// `__debezium-heartbeat.<prefix>` and every other `_`-prefixed internal topic (__consumer_offsets,
// _connect-offsets, ...), Connect's storage topics (they do not start with `<prefix>.`), topics of other
// prefixes, and the `debezium_signal` table of any schema (incremental-snapshot watermarks, not data).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace cdc::pipeline {

class TopicFilter {
 public:
  // `include_tables` holds "schema.table" names (empty = every table topic of the prefix); tables in
  // `exclude_tables` are never read (e.g. a signal table with another name than debezium_signal).
  TopicFilter(std::string prefix, std::set<std::string> include_tables,
              std::set<std::string> exclude_tables = {});

  // The "schema.table" a table topic carries, or nullopt when this source does not read the topic.
  [[nodiscard]] std::optional<std::string> table_of(std::string_view topic) const;
  [[nodiscard]] bool accepts(std::string_view topic) const { return table_of(topic).has_value(); }

 private:
  std::string prefix_dot_;
  std::set<std::string, std::less<>> include_tables_;
  std::set<std::string, std::less<>> exclude_tables_;
};

}  // namespace cdc::pipeline
