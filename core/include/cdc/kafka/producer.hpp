// A Kafka producer over librdkafka's C API that sends one record at a time and waits for the broker's
// acknowledgement: for the dead-letter topic, where a record must be stored before its offset counts as
// consumed. Not built for throughput.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/kafka/config.hpp"
#include "cdc/status.hpp"

struct rd_kafka_s;

namespace cdc::kafka {

struct Header {
  std::string name;
  std::string value;
};

class Producer {
 public:
  // An unknown or invalid property is an InvalidArgument naming the key and value.
  static Result<std::unique_ptr<Producer>> create(const ConfigMap& config);

  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;
  Producer(Producer&&) = delete;
  Producer& operator=(Producer&&) = delete;

  // Writes the record and returns once the broker acknowledged it; a KafkaError naming the topic when it
  // failed or did not complete within timeout_ms. A timed-out record is withdrawn from librdkafka's queue
  // (one already in flight may still have been stored: a duplicate at worst, never a loss).
  Status produce_sync(const std::string& topic, const std::optional<std::string>& key,
                      const std::optional<std::string>& value, const std::vector<Header>& headers,
                      int timeout_ms);

 private:
  struct Delivery;
  struct HandleDeleter {
    void operator()(rd_kafka_s* handle) const noexcept;
  };
  Producer();
  std::unique_ptr<Delivery> delivery_;  // declared first: outlives the handle, whose callbacks write it
  std::unique_ptr<rd_kafka_s, HandleDeleter> handle_;
};

}  // namespace cdc::kafka
