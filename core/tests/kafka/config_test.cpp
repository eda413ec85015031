#include "cdc/kafka/config.hpp"

#include <gtest/gtest.h>

namespace cdc::kafka {
namespace {

TEST(KafkaConfig, SecretsAreRecognised) {
  for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem",
                          "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config"}) {
    EXPECT_TRUE(is_secret_key(key)) << key;
  }
  for (const char* key : {"bootstrap.servers", "group.id", "sasl.username", "ssl.ca.location"}) {
    EXPECT_FALSE(is_secret_key(key)) << key;
  }
}

TEST(KafkaConfig, PrintableValueMasksSecrets) {
  EXPECT_EQ(printable_value("sasl.password", "hunter2"), "******");
  EXPECT_EQ(printable_value("group.id", "cdc-sink"), "cdc-sink");
}

}  // namespace
}  // namespace cdc::kafka
