// Owning pointers for librdkafka's C objects (private to src/kafka: it includes librdkafka.h).
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace cdc::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
};
// A client handle that is not a consumer (rd_kafka_destroy also closes a consumer, but Consumer closes
// first).
struct ClientDeleter {
  void operator()(rd_kafka_t* client) const noexcept { rd_kafka_destroy(client); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const noexcept {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const noexcept { rd_kafka_message_destroy(message); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const noexcept { rd_kafka_metadata_destroy(metadata); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using ClientPtr = std::unique_ptr<rd_kafka_t, ClientDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

}  // namespace cdc::kafka
