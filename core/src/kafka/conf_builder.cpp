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

}  // namespace cdc::kafka
