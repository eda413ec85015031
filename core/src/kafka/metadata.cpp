#include "cdc/kafka/metadata.hpp"

#include <array>
#include <string>
#include <vector>

#include "conf_builder.hpp"
#include "errors.hpp"

namespace cdc::kafka {

namespace {

// A health check reports failure through its result; librdkafka's connection-refused logs would only
// repeat it on stderr.
void discard_log(const rd_kafka_t* /*client*/, int /*level*/, const char* /*facility*/,
                 const char* /*line*/) {}

Result<ClientPtr> metadata_client(const std::string& bootstrap_servers, const ConfigMap& extra_config) {
  if (extra_config.contains("bootstrap.servers")) {
    return Status::invalid_argument("cluster_metadata: pass bootstrap.servers as its own argument");
  }
  CDC_ASSIGN_OR_RETURN(ConfPtr conf, build_conf(extra_config));
  CDC_RETURN_IF_ERROR(set_property(*conf, "bootstrap.servers", bootstrap_servers));
  rd_kafka_conf_set_log_cb(conf.get(), discard_log);

  // A producer handle: it needs no group.id and joins nothing, which is all a metadata request needs.
  std::array<char, 512> reason{};
  ClientPtr client(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
  if (client == nullptr) {
    return Status::invalid_argument(std::string("cannot create Kafka client: ") + reason.data());
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership of the conf on success
  return client;
}

}  // namespace

Result<std::vector<TopicInfo>> cluster_metadata(const std::string& bootstrap_servers, int timeout_ms,
                                                const ConfigMap& extra_config) {
  if (timeout_ms < 0) return Status::invalid_argument("metadata timeout must be >= 0 ms");
  CDC_ASSIGN_OR_RETURN(ClientPtr client, metadata_client(bootstrap_servers, extra_config));

  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client.get(), /*all_topics=*/1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_status(err, "Kafka brokers at '" + bootstrap_servers +
                                 "' did not answer a metadata request within " + std::to_string(timeout_ms) +
                                 " ms");
  }
  MetadataPtr metadata(raw);

  std::vector<TopicInfo> topics;
  topics.reserve(static_cast<std::size_t>(metadata->topic_cnt));
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    topics.push_back(TopicInfo{.name = topic.topic, .partition_count = topic.partition_cnt});
  }
  return topics;
}

}  // namespace cdc::kafka
