// The metadata and watermark requests on a client handle we already have (private to src/kafka): the
// one-shot functions (metadata.hpp, watermarks.hpp) send them on a client of their own, the Consumer on its
// own handle, with the same checks and the same error wording.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/kafka/metadata.hpp"
#include "cdc/kafka/watermarks.hpp"
#include "cdc/status.hpp"
#include "rdkafka_ptr.hpp"

namespace cdc::kafka {

// All topics of the cluster with their partition counts. `brokers` (bootstrap.servers) only names the
// cluster in the KafkaError returned when no broker answers within `timeout_ms`.
Result<std::vector<TopicInfo>> request_topics(rd_kafka_t& client, std::string_view brokers, int timeout_ms);

// The watermarks of one partition, asked of its leader (a ListOffsets round trip).
Result<Watermarks> request_watermarks(rd_kafka_t& client, std::string_view brokers, const std::string& topic,
                                      std::int32_t partition, int timeout_ms);

}  // namespace cdc::kafka
