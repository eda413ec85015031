#include "cdc/kafka/fetch_defaults.hpp"

#include <librdkafka/rdkafka.h>

namespace cdc::kafka {

namespace {

constexpr int kFirstWithFetchQueueBackoff = 0x020100ff;  // librdkafka 2.1.0

}  // namespace

void apply_fetch_defaults(ConfigMap& config) {
  if (rd_kafka_version() >= kFirstWithFetchQueueBackoff) config.try_emplace("fetch.queue.backoff.ms", "5");
}

}  // namespace cdc::kafka
