// Copies between librdkafka's C structs and our plain values (private to src/kafka).
#pragma once

#include <vector>

#include "cdc/kafka/message.hpp"
#include "cdc/status.hpp"
#include "rdkafka_ptr.hpp"

namespace cdc::kafka {

// Copies a successfully consumed record (message.err == 0); a null payload becomes a tombstone.
Message to_message(const rd_kafka_message_t& message);

// A librdkafka partition list with each entry's offset set; InvalidArgument on an empty topic name or a
// negative partition.
Result<PartitionListPtr> to_partition_list(const std::vector<TopicPartitionOffset>& positions);

// The first per-partition error in a list librdkafka filled in (e.g. after a commit), naming the partition.
Status first_partition_error(const rd_kafka_topic_partition_list_t& list, std::string_view what);

}  // namespace cdc::kafka
