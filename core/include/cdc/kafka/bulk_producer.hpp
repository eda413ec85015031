// A Kafka producer for throughput: records are queued asynchronously and delivery is checked in bulk by
// flush(). Used by the benchmarks to pre-fill topics; the sink's dead-letter path keeps Producer (one record
// at a time, acknowledged before its offset counts).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cdc/kafka/config.hpp"
#include "cdc/status.hpp"

struct rd_kafka_s;

namespace cdc::kafka {

class BulkProducer {
 public:
  // An unknown or invalid property is an InvalidArgument naming the key and value.
  static Result<std::unique_ptr<BulkProducer>> create(const ConfigMap& config);

  ~BulkProducer();
  BulkProducer(const BulkProducer&) = delete;
  BulkProducer& operator=(const BulkProducer&) = delete;
  BulkProducer(BulkProducer&&) = delete;
  BulkProducer& operator=(BulkProducer&&) = delete;

  // Queues one record (copied); when librdkafka's queue is full it serves delivery reports until there is
  // room. A null data pointer is an absent key or value (a tombstone when the value is absent).
  Status produce(const std::string& topic, std::int32_t partition, const char* key, std::size_t key_size,
                 const char* value, std::size_t value_size);

  // Waits until every queued record is acknowledged; a KafkaError when one failed or time ran out.
  Status flush(int timeout_ms);

  std::int64_t delivered() const;

 private:
  struct Reports;
  struct HandleDeleter {
    void operator()(rd_kafka_s* handle) const noexcept;
  };
  BulkProducer();
  std::unique_ptr<Reports> reports_;  // declared first: outlives the handle, whose callbacks write it
  std::unique_ptr<rd_kafka_s, HandleDeleter> handle_;
};

}  // namespace cdc::kafka
