// Exactly once against an at-least-once source: per table, the highest source position already applied
// (DuckDB's _cdc.tables, handed over by the sink) or already taken into the current batch. Pure.
//
// RULE: a streaming event (c/u/d/t, snapshot false; see ChangeEvent::position) whose position is at or below
// its table's mark is a duplicate Debezium redelivered after a Connect or broker crash: it is dropped and
// counted. Any other streaming event raises the mark once it joined the batch, which also drops a second
// copy inside the same batch. Snapshot reads (op r) and events without an LSN are never dropped. The first
// record of a table's snapshot forgets its mark: a new connector's first transaction has sequence[0] null
// (measured), which would read as older than any mark of an earlier connector.
//
// A table loaded straight from PostgreSQL also drops the streaming events of the transactions its snapshot
// saw (loaded_snapshot.hpp), until the sink forgets the snapshot (once a batch past its clear_lsn is
// committed).
//
// Why (sequence[0], lsn) and not lsn alone: two interleaved transactions reach the topic in commit order, so
// the later-committed one's events can have smaller LSNs than the earlier one's; sequence[0] (the last
// commit before the event) orders the transactions. Verified on the real stack (see the e2e fault test).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "cdc/decode/change_event.hpp"
#include "cdc/pipeline/loaded_snapshot.hpp"

namespace cdc::pipeline {

class PositionFilter {
 public:
  // True when `event` is a streaming event at or below its table's mark, or one of a transaction its table's
  // loaded snapshot saw.
  [[nodiscard]] bool is_duplicate(const decode::ChangeEvent& event) const;

  // Raises the mark of `table` ("schema.table", read from `topic`) to `position` (call once the event
  // joined the batch).
  void raise(const std::string& table, const std::string& topic, decode::SourcePosition position);

  // Replaces every mark with these ("schema.table" -> applied position), and every loaded snapshot, as DuckDB
  // holds them.
  void reset(const std::map<std::string, decode::SourcePosition>& applied,
             std::map<std::string, LoadedSnapshot> loaded = {});

  // Forgets the mark of `table`: its snapshot starts again (rule 6 of table_buffer.hpp), and the first
  // streaming transaction after a snapshot carries a null sequence[0].
  void forget_table(const std::string& table) {
    marks_.erase(table);
    loaded_.erase(table);
  }

  // Forgets the loaded snapshot of `table` (a committed batch of it is past the snapshot's clear_lsn).
  void forget_loaded(const std::string& table) { loaded_.erase(table); }

  // Forgets the marks of the tables read from these topics (their batches were not applied).
  void forget_topics(const std::set<std::string>& topics);

  [[nodiscard]] std::optional<decode::SourcePosition> mark(const std::string& table) const;

 private:
  struct Mark {
    decode::SourcePosition position;
    std::string topic;  // empty for marks handed over by reset()
  };
  std::map<std::string, Mark, std::less<>> marks_;
  std::map<std::string, LoadedSnapshot, std::less<>> loaded_;
};

// "schema.table" of an event.
std::string table_name(const decode::ChangeEvent& event);

}  // namespace cdc::pipeline
