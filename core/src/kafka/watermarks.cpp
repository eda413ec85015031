#include "cdc/kafka/watermarks.hpp"

#include <string>

#include "conf_builder.hpp"
#include "errors.hpp"
#include "requests.hpp"

namespace cdc::kafka {

namespace {

Status check_arguments(const std::string& topic, std::int32_t partition, int timeout_ms) {
  if (timeout_ms < 0) return Status::invalid_argument("watermark timeout must be >= 0 ms");
  if (topic.empty()) return Status::invalid_argument("query_watermarks: the topic name is empty");
  if (partition < 0) return Status::invalid_argument("query_watermarks: the partition must be >= 0");
  return Status::ok();
}

}  // namespace

Result<Watermarks> request_watermarks(rd_kafka_t& client, std::string_view brokers, const std::string& topic,
                                      std::int32_t partition, int timeout_ms) {
  CDC_RETURN_IF_ERROR(check_arguments(topic, partition, timeout_ms));
  Watermarks marks;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(&client, topic.c_str(), partition, &marks.low,
                                                             &marks.high, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_status(err, "watermarks of topic '" + topic + "' partition " + std::to_string(partition) +
                                 " from '" + std::string(brokers) + "' within " + std::to_string(timeout_ms) +
                                 " ms");
  }
  return marks;
}

Result<Watermarks> query_watermarks(const std::string& bootstrap_servers, const std::string& topic,
                                    std::int32_t partition, int timeout_ms, const ConfigMap& extra_config) {
  CDC_RETURN_IF_ERROR(check_arguments(topic, partition, timeout_ms));  // before creating a client
  CDC_ASSIGN_OR_RETURN(ClientPtr client,
                       one_shot_client("query_watermarks", bootstrap_servers, extra_config));
  return request_watermarks(*client, bootstrap_servers, topic, partition, timeout_ms);
}

}  // namespace cdc::kafka
