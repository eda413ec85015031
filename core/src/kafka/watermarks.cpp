#include "cdc/kafka/watermarks.hpp"

#include <string>

#include "conf_builder.hpp"
#include "errors.hpp"

namespace cdc::kafka {

Result<Watermarks> query_watermarks(const std::string& bootstrap_servers, const std::string& topic,
                                    std::int32_t partition, int timeout_ms, const ConfigMap& extra_config) {
  if (timeout_ms < 0) return Status::invalid_argument("watermark timeout must be >= 0 ms");
  if (topic.empty()) return Status::invalid_argument("query_watermarks: the topic name is empty");
  if (partition < 0) return Status::invalid_argument("query_watermarks: the partition must be >= 0");
  CDC_ASSIGN_OR_RETURN(ClientPtr client,
                       one_shot_client("query_watermarks", bootstrap_servers, extra_config));

  Watermarks marks;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(client.get(), topic.c_str(), partition,
                                                             &marks.low, &marks.high, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_status(err, "watermarks of topic '" + topic + "' partition " + std::to_string(partition) +
                                 " from '" + bootstrap_servers + "' within " + std::to_string(timeout_ms) +
                                 " ms");
  }
  return marks;
}

}  // namespace cdc::kafka
