// Source against a broker that refuses connections: discovery runs on the consumer's own handle and its
// failure is the KafkaError the sink retries; end_offsets() is safe beside close() in another thread.
#include "cdc/pipeline/source.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "contains.hpp"

namespace cdc::pipeline {
namespace {

using cdc::test::contains;

std::unique_ptr<Source> unreachable_source() {
  SourceConfig config;
  // Port 1 on localhost refuses connections; group.id as the sink sets it (close() wants a group).
  config.kafka = {{"bootstrap.servers", "127.0.0.1:1"}, {"group.id", "cdc-test"}};
  config.topic_prefix = "dbserver1";
  config.metadata_timeout_ms = 300;
  Result<std::unique_ptr<Source>> source = Source::create(std::move(config));
  EXPECT_TRUE(source.is_ok()) << source.status().to_string();
  return std::move(source).value();
}

TEST(Source, DiscoveryWithoutABrokerIsAKafkaErrorNamingTheBrokers) {
  auto source = unreachable_source();
  Status started = source->start({});
  EXPECT_EQ(started.code(), StatusCode::kKafkaError);
  EXPECT_TRUE(
      contains(started.message(), "Kafka brokers at '127.0.0.1:1' did not answer a metadata request"));
  EXPECT_TRUE(source->assignment().empty());
  Status closed = source->close();
  EXPECT_TRUE(closed.is_ok()) << closed.to_string();
}

TEST(Source, EndOffsetsAreSafeBesideCloseInAnotherThread) {
  auto source = unreachable_source();
  std::atomic<bool> closed_seen = false;
  std::thread lag([&] {
    // Until close() has happened, each call fails on the unreachable broker; after it, on the closed
    // consumer.
    while (!closed_seen) {
      Result<std::vector<std::int64_t>> ends = source->end_offsets("dbserver1.public.users", {0}, 20);
      ASSERT_FALSE(ends.is_ok());
      EXPECT_EQ(ends.status().code(), StatusCode::kKafkaError);
      closed_seen = contains(ends.status().message(), "closed");
    }
  });
  EXPECT_TRUE(source->close().is_ok());
  lag.join();
  EXPECT_TRUE(closed_seen);
}

}  // namespace
}  // namespace cdc::pipeline
