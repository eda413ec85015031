// The read side's consumer defaults: only properties this librdkafka knows, never over the caller's value.
#include "cdc/kafka/fetch_defaults.hpp"

#include <gtest/gtest.h>

#include "cdc/kafka/consumer.hpp"
#include "cdc/kafka/library.hpp"

namespace cdc::kafka {
namespace {

TEST(FetchDefaults, ResultIsAcceptedByThisLibrdkafka) {
  ConfigMap config{{"group.id", "cdc-test"}};
  apply_fetch_defaults(config);
  Result<std::unique_ptr<Consumer>> consumer = Consumer::create(config);
  EXPECT_TRUE(consumer.is_ok()) << consumer.status().to_string();
  if (config.contains("fetch.queue.backoff.ms")) {
    EXPECT_EQ(config.at("fetch.queue.backoff.ms"), "5");
  }
}

// The version gate agrees with the library: the default is set exactly when this librdkafka knows the
// property.
TEST(FetchDefaults, SetExactlyWhenThisLibrdkafkaKnowsIt) {
  ConfigMap config;
  apply_fetch_defaults(config);
  bool known = Consumer::create({{"group.id", "cdc-test"}, {"fetch.queue.backoff.ms", "5"}}).is_ok();
  EXPECT_EQ(config.contains("fetch.queue.backoff.ms"), known) << "librdkafka " << library_version();
}

TEST(FetchDefaults, CallersValueWins) {
  ConfigMap config{{"fetch.queue.backoff.ms", "250"}};
  apply_fetch_defaults(config);
  EXPECT_EQ(config.at("fetch.queue.backoff.ms"), "250");
}

}  // namespace
}  // namespace cdc::kafka
