#include "cdc/kafka/metadata.hpp"

#include <string>
#include <vector>

#include "conf_builder.hpp"
#include "errors.hpp"
#include "requests.hpp"

namespace cdc::kafka {

Result<std::vector<TopicInfo>> request_topics(rd_kafka_t& client, std::string_view brokers, int timeout_ms) {
  if (timeout_ms < 0) return Status::invalid_argument("metadata timeout must be >= 0 ms");
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(&client, /*all_topics=*/1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_status(err, "Kafka brokers at '" + std::string(brokers) +
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

Result<std::vector<TopicInfo>> cluster_metadata(const std::string& bootstrap_servers, int timeout_ms,
                                                const ConfigMap& extra_config) {
  if (timeout_ms < 0) return Status::invalid_argument("metadata timeout must be >= 0 ms");
  CDC_ASSIGN_OR_RETURN(ClientPtr client,
                       one_shot_client("cluster_metadata", bootstrap_servers, extra_config));
  return request_topics(*client, bootstrap_servers, timeout_ms);
}

}  // namespace cdc::kafka
