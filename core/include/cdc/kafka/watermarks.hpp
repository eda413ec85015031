// One-shot watermark query: the first and the next offset of one partition, as the broker knows them now.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/kafka/config.hpp"
#include "cdc/status.hpp"

namespace cdc::kafka {

struct Watermarks {
  std::int64_t low = 0;   // oldest offset still in the partition
  std::int64_t high = 0;  // offset the next produced record will get (the "end offset")

  friend bool operator==(const Watermarks&, const Watermarks&) = default;
};

// Asks the partition leader of `topic`/`partition` on the cluster at `bootstrap_servers`, waiting at most
// `timeout_ms`. A KafkaError names the topic and partition when the broker does not answer or does not know
// them. `extra_config` carries e.g. security settings; it may not override `bootstrap.servers`.
Result<Watermarks> query_watermarks(const std::string& bootstrap_servers, const std::string& topic,
                                    std::int32_t partition, int timeout_ms,
                                    const ConfigMap& extra_config = {});

}  // namespace cdc::kafka
