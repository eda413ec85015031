// Builds a librdkafka configuration object from property strings (private to src/kafka).
#pragma once

#include "cdc/kafka/config.hpp"
#include "cdc/status.hpp"
#include "rdkafka_ptr.hpp"

namespace cdc::kafka {

// Applies every property in order; the first one librdkafka rejects becomes an InvalidArgument that names
// the key, the (masked if secret) value and librdkafka's reason.
Result<ConfPtr> build_conf(const ConfigMap& config);

// Sets one property on an existing conf, with the same error wording as build_conf().
Status set_property(rd_kafka_conf_t& conf, const std::string& key, const std::string& value);

// A short-lived client for one request (metadata, watermarks): a producer handle, which needs no group.id
// and joins nothing, with librdkafka's logs silenced because the caller reports failures through its
// result. `operation` names the caller in errors.
Result<ClientPtr> one_shot_client(const char* operation, const std::string& bootstrap_servers,
                                  const ConfigMap& extra_config);

}  // namespace cdc::kafka
