// A Kafka consumer over librdkafka's C API whose offsets are owned by the caller.
//
// The sink's offsets live in DuckDB, committed in the same transaction as the data, so this consumer never
// commits or stores offsets on its own: `enable.auto.commit` and `enable.auto.offset.store` are forced to
// false whatever the config says. commit() only mirrors DuckDB's offsets to Kafka for lag tools.
//
// Not thread-safe: one thread at a time may call a Consumer (the Python binding serialises calls), except
// cluster_topics() and end_offsets(), which only send a request on the handle (librdkafka serves those from
// any thread): they may run beside any other call but close() and the destructor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cdc/kafka/config.hpp"
#include "cdc/kafka/message.hpp"
#include "cdc/kafka/metadata.hpp"
#include "cdc/status.hpp"

struct rd_kafka_s;  // librdkafka's rd_kafka_t; librdkafka.h stays out of our public headers

namespace cdc::kafka {

class Consumer {
 public:
  // Builds the client; an unknown or invalid property is an InvalidArgument naming the key and value.
  static Result<std::unique_ptr<Consumer>> create(const ConfigMap& config);

  ~Consumer();  // closes the consumer if close() was not called
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;
  Consumer(Consumer&&) = delete;
  Consumer& operator=(Consumer&&) = delete;

  // Joins the consumer group (needs `group.id`) for these topics; "^regex" entries match by pattern.
  Status subscribe(const std::vector<std::string>& topics);

  // Reads exactly these partitions from these offsets, without group management.
  Status assign(const std::vector<TopicPartitionOffset>& partitions);

  // Up to `max_messages` records, waiting at most `timeout_ms` (>= 0) in total; returns what arrived by
  // then, possibly nothing. Partition EOF is ignored. Transient broker trouble is retried (and logged) by
  // librdkafka and does not fail the poll; a fatal or permanent error (unknown topic, authorization, offset
  // out of range, ...) does, and its message names the topic, partition and offset when librdkafka gives
  // them. Records already consumed when such an error arrives are returned first and the error on the next
  // call, so no record is skipped by a caller that handles the error and polls again.
  Result<std::vector<Message>> poll_batch(std::size_t max_messages, int timeout_ms);

  // All topics of the cluster and their partition counts, asked on this consumer's own connections (no new
  // client). A KafkaError naming bootstrap.servers when no broker answers within `timeout_ms`.
  [[nodiscard]] Result<std::vector<TopicInfo>> cluster_topics(int timeout_ms) const;

  // The end offset (the offset the next record gets) of these partitions of `topic`, in the same order,
  // asked of their leaders on this consumer's connections: the broker's value now, also for a partition
  // this consumer does not fetch. Waits at most `timeout_ms`, even while a leader is down; a KafkaError
  // then, or naming the first partition the broker refused.
  [[nodiscard]] Result<std::vector<std::int64_t>> end_offsets(const std::string& topic,
                                                              const std::vector<std::int32_t>& partitions,
                                                              int timeout_ms) const;

  // Synchronously commits these NEXT offsets (last applied offset + 1) to the group coordinator.
  Status commit(const std::vector<TopicPartitionOffset>& offsets);

  // The same commit without waiting for the coordinator: it is queued and sent when the coordinator is
  // reachable, and its result is dropped. For the sink's advisory mirror, which must never hold up a batch:
  // a synchronous commit waits out a broker outage (60 s measured) inside the commit protocol.
  Status commit_async(const std::vector<TopicPartitionOffset>& offsets);

  // Leaves the group and releases the client. Later calls return an error; closing twice is OK.
  Status close();

  [[nodiscard]] bool is_closed() const noexcept { return handle_ == nullptr; }

  // The value librdkafka actually uses for a property (after our overrides); for diagnostics and tests.
  [[nodiscard]] Result<std::string> effective_setting(const std::string& key) const;

 private:
  struct HandleDeleter {
    void operator()(rd_kafka_s* handle) const noexcept;
  };
  using Handle = std::unique_ptr<rd_kafka_s, HandleDeleter>;

  struct Token {  // keeps the constructor for create() while letting std::make_unique call it
    explicit Token() = default;
  };

 public:
  Consumer(Token, Handle handle) noexcept : handle_(std::move(handle)) {}

 private:
  [[nodiscard]] Status check_open(const char* operation) const;

  Handle handle_;         // null once closed
  Status pending_error_;  // a permanent error seen after records were already taken into a batch
};

}  // namespace cdc::kafka
