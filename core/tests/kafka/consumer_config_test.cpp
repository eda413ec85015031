// Consumer construction and argument validation; none of these reach a broker (none, or one that refuses).
#include <gtest/gtest.h>

#include <string>

#include "cdc/kafka/consumer.hpp"
#include "cdc/kafka/metadata.hpp"
#include "contains.hpp"

namespace cdc::kafka {
namespace {

using cdc::test::contains;

std::unique_ptr<Consumer> make_consumer(ConfigMap config = {{"group.id", "cdc-test"}}) {
  Result<std::unique_ptr<Consumer>> consumer = Consumer::create(config);
  EXPECT_TRUE(consumer.is_ok()) << consumer.status().to_string();
  return std::move(consumer).value();
}

TEST(ConsumerConfig, AcceptsValidSettings) {
  auto consumer =
      make_consumer({{"group.id", "cdc-test"}, {"auto.offset.reset", "earliest"}, {"client.id", "t"}});
  EXPECT_FALSE(consumer->is_closed());
}

TEST(ConsumerConfig, UnknownKeyIsNamedWithItsValue) {
  auto consumer = Consumer::create({{"group.id", "cdc-test"}, {"no.such.setting", "42"}});
  ASSERT_FALSE(consumer.is_ok());
  EXPECT_EQ(consumer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(consumer.status().message(), "'no.such.setting' = '42'"));
}

TEST(ConsumerConfig, InvalidValueIsNamedWithItsKey) {
  auto consumer = Consumer::create({{"enable.partition.eof", "maybe"}});
  ASSERT_FALSE(consumer.is_ok());
  EXPECT_TRUE(contains(consumer.status().message(), "'enable.partition.eof' = 'maybe'"));
}

TEST(ConsumerConfig, SecretValuesAreMaskedInErrors) {
  // A secret with an invalid key suffix still must not leak its value.
  auto consumer = Consumer::create({{"sasl.password.typo", "hunter2"}});
  ASSERT_FALSE(consumer.is_ok());
  EXPECT_TRUE(contains(consumer.status().message(), "'sasl.password.typo' = '******'"));
  EXPECT_EQ(consumer.status().message().find("hunter2"), std::string::npos);
}

TEST(ConsumerConfig, AutoCommitAndOffsetStoreAreForcedOff) {
  auto consumer = make_consumer(
      {{"group.id", "cdc-test"}, {"enable.auto.commit", "true"}, {"enable.auto.offset.store", "true"}});
  EXPECT_EQ(consumer->effective_setting("enable.auto.commit").value(), "false");
  EXPECT_EQ(consumer->effective_setting("enable.auto.offset.store").value(), "false");
}

TEST(ConsumerConfig, EffectiveSettingOfUnknownKeyIsAnError) {
  auto consumer = make_consumer();
  EXPECT_FALSE(consumer->effective_setting("no.such.setting").is_ok());
}

TEST(Consumer, SubscribeNeedsTopics) {
  auto consumer = make_consumer();
  EXPECT_EQ(consumer->subscribe({}).code(), StatusCode::kInvalidArgument);
}

TEST(Consumer, AssignRejectsInvalidPartitions) {
  auto consumer = make_consumer();
  EXPECT_TRUE(contains(consumer->assign({{"dbserver1.public.users", -1, 0}}).message(), "partition -1"));
  EXPECT_EQ(consumer->assign({{"", 0, 0}}).code(), StatusCode::kInvalidArgument);
}

TEST(Consumer, PollWithoutAssignmentReturnsNothing) {
  auto consumer = make_consumer();
  Result<std::vector<Message>> batch = consumer->poll_batch(100, 0);
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  EXPECT_TRUE(batch->empty());
  EXPECT_EQ(consumer->poll_batch(100, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST(Consumer, CommitOfNothingIsOk) {
  auto consumer = make_consumer();
  EXPECT_TRUE(consumer->commit({}).is_ok());
  EXPECT_TRUE(consumer->commit_async({}).is_ok());
}

TEST(Consumer, ClosedConsumerRefusesWork) {
  auto consumer = make_consumer();
  EXPECT_TRUE(consumer->close().is_ok());
  EXPECT_TRUE(consumer->is_closed());
  EXPECT_TRUE(consumer->close().is_ok());  // idempotent
  Status status = consumer->poll_batch(1, 0).status();
  EXPECT_EQ(status.code(), StatusCode::kKafkaError);
  EXPECT_TRUE(contains(status.message(), "closed"));
  EXPECT_EQ(consumer->subscribe({"^dbserver1\\..*"}).code(), StatusCode::kKafkaError);
}

TEST(Message, NextOffsetIsOffsetPlusOne) {
  Message message;
  message.topic = "dbserver1.public.users";
  message.partition = 2;
  message.offset = 41;
  EXPECT_EQ(next_offset(message), (TopicPartitionOffset{"dbserver1.public.users", 2, 42}));
}

TEST(Consumer, ClusterTopicsAskTheConsumersOwnBrokersAndNameThemWhenNoneAnswers) {
  // Port 1 on localhost refuses connections, so this fails fast without any broker.
  auto consumer = make_consumer({{"bootstrap.servers", "127.0.0.1:1"}});
  auto topics = consumer->cluster_topics(300);
  ASSERT_FALSE(topics.is_ok());
  EXPECT_EQ(topics.status().code(), StatusCode::kKafkaError);
  EXPECT_TRUE(contains(topics.status().message(), "'127.0.0.1:1' did not answer a metadata request"));
  EXPECT_EQ(consumer->cluster_topics(-1).status().code(), StatusCode::kInvalidArgument);
}

TEST(Consumer, EndOffsetsWithoutABrokerFailWithinTheirTimeout) {
  auto consumer = make_consumer({{"bootstrap.servers", "127.0.0.1:1"}});
  EXPECT_EQ(consumer->end_offsets("t", {0}, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(consumer->end_offsets("t", {-1}, 100).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(consumer->end_offsets("", {0}, 100).status().code(), StatusCode::kInvalidArgument);
  Result<std::vector<std::int64_t>> none = consumer->end_offsets("t", {}, 100);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());  // nothing asked, no request
  Status unreachable = consumer->end_offsets("t", {0, 1}, 200).status();
  EXPECT_EQ(unreachable.code(), StatusCode::kKafkaError);
  EXPECT_TRUE(contains(unreachable.message(), "end offsets of topic 't' from '127.0.0.1:1'"));
}

TEST(Consumer, AClosedConsumerAnswersNoMetadataOrEndOffsets) {
  auto consumer = make_consumer();
  ASSERT_TRUE(consumer->close().is_ok());
  EXPECT_TRUE(contains(consumer->cluster_topics(100).status().message(), "closed"));
  EXPECT_TRUE(contains(consumer->end_offsets("t", {0}, 100).status().message(), "closed"));
}

TEST(ClusterMetadata, RejectsBootstrapServersInExtraConfig) {
  auto topics = cluster_metadata("localhost:9092", 100, {{"bootstrap.servers", "elsewhere:9092"}});
  EXPECT_EQ(topics.status().code(), StatusCode::kInvalidArgument);
}

TEST(ClusterMetadata, UnreachableBrokerIsAKafkaErrorNamingTheServers) {
  // Port 1 on localhost refuses connections, so this fails fast without any broker.
  auto topics = cluster_metadata("127.0.0.1:1", 500);
  ASSERT_FALSE(topics.is_ok());
  EXPECT_EQ(topics.status().code(), StatusCode::kKafkaError);
  EXPECT_TRUE(contains(topics.status().message(), "127.0.0.1:1"));
}

}  // namespace
}  // namespace cdc::kafka
