// The sink's source of batches: discovers Debezium table topics, reads every partition from the offsets
// DuckDB committed, decodes and coalesces records into per-table batches (see batcher.hpp for when a batch
// ends and what happens to bad records), and mirrors commits to Kafka for lag tools.
//
// Offsets: there is no consumer-group subscription. start() assigns every partition of every table topic
// explicitly, at DuckDB's next offset or, when DuckDB has none, at the beginning of the partition.
// `auto.offset.reset` is forced to `error`, so an offset that aged out of Kafka's retention is a loud
// KafkaError, never a silent jump. Topics are re-discovered every topic_refresh_ms (inside next_batch), with
// a metadata request on the consumer's own handle, and new tables or partitions are assigned the same way.
//
// Not thread-safe: one thread at a time (the Python binding serialises calls), except end_offsets().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cdc/decode/change_event.hpp"
#include "cdc/kafka/config.hpp"
#include "cdc/kafka/message.hpp"
#include "cdc/pipeline/batch.hpp"
#include "cdc/pipeline/batcher.hpp"
#include "cdc/status.hpp"

namespace cdc::pipeline {

struct SourceConfig {
  kafka::ConfigMap kafka;    // librdkafka properties; bootstrap.servers required, group.id for commit()
  std::string topic_prefix;  // Debezium topic.prefix, e.g. "dbserver1"
  std::set<std::string> include_tables;  // "schema.table"; empty = every table topic of the prefix
  std::set<std::string> exclude_tables;  // "schema.table" never read (a renamed signal table)
  int topic_refresh_ms = 10'000;
  ErrorPolicy on_error = ErrorPolicy::kStop;
  std::string dead_letter_topic;  // required by ErrorPolicy::kDeadLetter
  int quiet_poll_ms = 10;         // after the first record, a poll this long that finds nothing ends a batch
  int metadata_timeout_ms = 10'000;
  int dead_letter_timeout_ms = 30'000;
};

class Source {
 public:
  // Validates the config and creates the Kafka clients (no network yet). InvalidArgument on a bad setting.
  static Result<std::unique_ptr<Source>> create(SourceConfig config);

  ~Source();
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  Source(Source&&) = delete;
  Source& operator=(Source&&) = delete;

  // Discovers the table topics and assigns all their partitions at `committed` (DuckDB's next offsets),
  // or at the beginning where DuckDB has none. Forgets anything read before and resumes rewound topics.
  // `applied`: DuckDB's highest applied source position per table ("schema.table"), for the exactly-once
  // rule (position_filter.hpp); `loaded`: the snapshot text of each table loaded straight from PostgreSQL
  // (loaded_snapshot.hpp), invalid text an error naming the table.
  Status start(const std::vector<kafka::TopicPartitionOffset>& committed,
               const std::map<std::string, decode::SourcePosition>& applied = {},
               const std::map<std::string, std::string>& loaded = {});

  // Forgets the loaded snapshot of `table` ("schema.table"): its applied position is past the load's clear
  // LSN (loaded_snapshot.hpp). Batches decoded after this call no longer drop its transactions.
  void forget_loaded(const std::string& table);

  // The next batch (see batcher.hpp). An error only for Kafka trouble (nothing consumed then); bad records
  // are reported in Batch::error or dead-lettered.
  Result<Batch> next_batch(std::size_t max_events, std::size_t max_bytes, int max_wait_ms);

  // Remembers these next offsets as committed (DuckDB has them) and mirrors them to Kafka when group.id is
  // set. A KafkaError from the mirror is advisory: the offsets are remembered regardless.
  Status commit(const std::vector<kafka::TopicPartitionOffset>& offsets);

  // Stops reading these topics (used when the sink stops their tables): records read but not yet batched
  // are dropped and the partitions leave the assignment, so they resume at the last committed offsets
  // when start() is called again.
  Status rewind(const std::vector<std::string>& topics);

  // The partitions being read and the next offset of each, as last assigned (for status and tests).
  [[nodiscard]] std::vector<kafka::TopicPartitionOffset> assignment() const;

  // The end offsets of these partitions of `topic`, for consumer lag (kafka::Consumer::end_offsets): a
  // ListOffsets request to their leaders on the consumer's connections, not librdkafka's cached
  // watermarks, which stop moving exactly when lag matters (no fetches while the local queue is full
  // because the sink is stalled, none for a stopped table's partitions). Thread-safe: may run in another
  // thread beside any call, close() included (which waits for it, at most `timeout_ms`); after close() a
  // KafkaError.
  [[nodiscard]] Result<std::vector<std::int64_t>> end_offsets(const std::string& topic,
                                                              const std::vector<std::int32_t>& partitions,
                                                              int timeout_ms) const;

  // Closes the Kafka clients; later calls fail, closing twice is OK.
  Status close();

 private:
  struct Impl;
  explicit Source(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The librdkafka properties every client type accepts: `config` without the consumer-only ones, for the
// dead-letter producer built from the consumer's settings.
kafka::ConfigMap common_client_config(const kafka::ConfigMap& config);

}  // namespace cdc::pipeline
