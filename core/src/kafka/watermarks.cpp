#include "cdc/kafka/watermarks.hpp"

#include <array>
#include <string>

#include "conf_builder.hpp"
#include "errors.hpp"

namespace cdc::kafka {

namespace {

// The caller reports failures through the result; librdkafka's connection logs would only repeat them.
void discard_log(const rd_kafka_t* /*client*/, int /*level*/, const char* /*facility*/,
                 const char* /*line*/) {}

// A producer handle: it needs no group.id and joins nothing, which is all an offset query needs.
Result<ClientPtr> admin_client(const std::string& bootstrap_servers, const ConfigMap& extra_config) {
  if (extra_config.contains("bootstrap.servers")) {
    return Status::invalid_argument("query_watermarks: pass bootstrap.servers as its own argument");
  }
  CDC_ASSIGN_OR_RETURN(ConfPtr conf, build_conf(extra_config));
  CDC_RETURN_IF_ERROR(set_property(*conf, "bootstrap.servers", bootstrap_servers));
  rd_kafka_conf_set_log_cb(conf.get(), discard_log);
  std::array<char, 512> reason{};
  ClientPtr client(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
  if (client == nullptr) {
    return Status::invalid_argument(std::string("cannot create Kafka client: ") + reason.data());
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership of the conf on success
  return client;
}

}  // namespace

Result<Watermarks> query_watermarks(const std::string& bootstrap_servers, const std::string& topic,
                                    std::int32_t partition, int timeout_ms, const ConfigMap& extra_config) {
  if (timeout_ms < 0) return Status::invalid_argument("watermark timeout must be >= 0 ms");
  if (topic.empty()) return Status::invalid_argument("query_watermarks: the topic name is empty");
  if (partition < 0) return Status::invalid_argument("query_watermarks: the partition must be >= 0");
  CDC_ASSIGN_OR_RETURN(ClientPtr client, admin_client(bootstrap_servers, extra_config));

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
