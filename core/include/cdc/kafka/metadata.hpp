// One-shot cluster metadata request: the broker health check and topic discovery.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdc/kafka/config.hpp"
#include "cdc/status.hpp"

namespace cdc::kafka {

struct TopicInfo {
  std::string name;
  std::int32_t partition_count = 0;

  friend bool operator==(const TopicInfo&, const TopicInfo&) = default;
};

// Asks the cluster at `bootstrap_servers` for all topics, waiting at most `timeout_ms`. A KafkaError when
// no broker answers in time. `extra_config` carries e.g. security settings; it may not override
// `bootstrap.servers`.
Result<std::vector<TopicInfo>> cluster_metadata(const std::string& bootstrap_servers, int timeout_ms,
                                                const ConfigMap& extra_config = {});

}  // namespace cdc::kafka
