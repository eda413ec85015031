#include "conf_builder.hpp"

#include <array>

namespace cdc::kafka {

Status set_property(rd_kafka_conf_t& conf, const std::string& key, const std::string& value) {
  std::array<char, 512> reason{};
  if (rd_kafka_conf_set(&conf, key.c_str(), value.c_str(), reason.data(), reason.size()) ==
      RD_KAFKA_CONF_OK) {
    return Status::ok();
  }
  return Status::invalid_argument("invalid Kafka setting '" + key + "' = '" + printable_value(key, value) +
                                  "': " + reason.data());
}

Result<ConfPtr> build_conf(const ConfigMap& config) {
  ConfPtr conf(rd_kafka_conf_new());
  for (const auto& [key, value] : config) {
    CDC_RETURN_IF_ERROR(set_property(*conf, key, value));
  }
  return conf;
}

namespace {

void discard_log(const rd_kafka_t* /*client*/, int /*level*/, const char* /*facility*/,
                 const char* /*line*/) {}

}  // namespace

Result<ClientPtr> one_shot_client(const char* operation, const std::string& bootstrap_servers,
                                  const ConfigMap& extra_config) {
  if (extra_config.contains("bootstrap.servers")) {
    return Status::invalid_argument(std::string(operation) + ": pass bootstrap.servers as its own argument");
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

}  // namespace cdc::kafka
