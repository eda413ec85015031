#include "cdc/pipeline/topic_filter.hpp"

#include <gtest/gtest.h>

namespace cdc::pipeline {
namespace {

TEST(TopicFilterTest, TableTopicsOfThePrefix) {
  TopicFilter filter("dbserver1", {});
  EXPECT_EQ(filter.table_of("dbserver1.public.users"), "public.users");
  EXPECT_EQ(filter.table_of("dbserver1.inventory.orders"), "inventory.orders");
  EXPECT_EQ(filter.table_of("dbserver1.public.my_table_2"), "public.my_table_2");
}

TEST(TopicFilterTest, DebeziumsOtherTopicsAreNotTables) {
  TopicFilter filter("dbserver1", {});
  EXPECT_FALSE(filter.accepts("dbserver1.transaction"));
  EXPECT_FALSE(filter.accepts("dbserver1.message"));
  EXPECT_FALSE(filter.accepts("__debezium-heartbeat.dbserver1"));
  EXPECT_FALSE(filter.accepts("dbserver1.public.debezium_signal"));
  EXPECT_FALSE(filter.accepts("dbserver1.other.debezium_signal"));
}

TEST(TopicFilterTest, KafkaAndConnectInternalTopicsAreNotTables) {
  TopicFilter filter("dbserver1", {});
  for (const char* topic : {"__consumer_offsets", "__transaction_state", "connect-configs", "connect-offsets",
                            "connect-status", "_connect-offsets", "docker-connect-configs"}) {
    EXPECT_FALSE(filter.accepts(topic)) << topic;
  }
}

TEST(TopicFilterTest, OtherPrefixesAndMalformedNamesAreNotTables) {
  TopicFilter filter("dbserver1", {});
  EXPECT_FALSE(filter.accepts("dbserver2.public.users"));
  EXPECT_FALSE(filter.accepts("dbserver1x.public.users"));
  EXPECT_FALSE(filter.accepts("dbserver1"));
  EXPECT_FALSE(filter.accepts("dbserver1."));
  EXPECT_FALSE(filter.accepts("dbserver1.public."));
  EXPECT_FALSE(filter.accepts("dbserver1..users"));
  EXPECT_FALSE(filter.accepts(""));
}

TEST(TopicFilterTest, IncludeListLimitsTheTables) {
  TopicFilter filter("dbserver1", {"public.users", "sales.orders"});
  EXPECT_TRUE(filter.accepts("dbserver1.public.users"));
  EXPECT_TRUE(filter.accepts("dbserver1.sales.orders"));
  EXPECT_FALSE(filter.accepts("dbserver1.public.orders"));
  EXPECT_FALSE(filter.accepts("dbserver1.public.debezium_signal"));
}

TEST(TopicFilterTest, ExcludedTablesAreNeverRead) {
  TopicFilter filter("dbserver1", {}, {"ops.signals"});
  EXPECT_FALSE(filter.accepts("dbserver1.ops.signals"));
  EXPECT_TRUE(filter.accepts("dbserver1.ops.other"));
}

TEST(TopicFilterTest, PrefixesWithDots) {
  TopicFilter filter("prod.pg", {});
  EXPECT_EQ(filter.table_of("prod.pg.public.users"), "public.users");
  EXPECT_FALSE(filter.accepts("prod.pg.transaction"));
}

}  // namespace
}  // namespace cdc::pipeline
