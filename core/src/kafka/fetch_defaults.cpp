#include "cdc/kafka/fetch_defaults.hpp"

#include <librdkafka/rdkafka.h>

namespace cdc::kafka {

namespace {

constexpr int kFirstWithFetchQueueBackoff = 0x020200ff;  // librdkafka 2.2.0 added the property

}  // namespace

void apply_fetch_defaults(ConfigMap& config) {
  if (rd_kafka_version() >= kFirstWithFetchQueueBackoff) config.try_emplace("fetch.queue.backoff.ms", "5");
}

}  // namespace cdc::kafka
