// Requests on a client handle we already have (private to src/kafka): cluster_metadata() (metadata.hpp)
// sends one on a client of its own, the Consumer on its own handle, with the same checks and error wording.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/kafka/metadata.hpp"
#include "cdc/status.hpp"
#include "rdkafka_ptr.hpp"

namespace cdc::kafka {

// All topics of the cluster with their partition counts. `brokers` (bootstrap.servers) only names the
// cluster in the KafkaError returned when no broker answers within `timeout_ms`.
Result<std::vector<TopicInfo>> request_topics(rd_kafka_t& client, std::string_view brokers, int timeout_ms);

// The end offset (the offset the next record gets) of these partitions of `topic`, in the same order: one
// ListOffsets request per leader, answered or failed within `timeout_ms` even while a leader is down.
Result<std::vector<std::int64_t>> request_end_offsets(rd_kafka_t& client, std::string_view brokers,
                                                      const std::string& topic,
                                                      const std::vector<std::int32_t>& partitions,
                                                      int timeout_ms);

}  // namespace cdc::kafka
