// Kafka client configuration as librdkafka property strings, plus the masking rule for secrets.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cdc::kafka {

// librdkafka properties, e.g. {"bootstrap.servers": "localhost:9092", "group.id": "cdc-sink"}.
using ConfigMap = std::map<std::string, std::string>;

// True for properties whose value must never appear in a message or a log (passwords, keys, tokens).
bool is_secret_key(std::string_view key) noexcept;

// The value as it may be shown to a user: secrets become "******".
std::string printable_value(std::string_view key, std::string_view value);

}  // namespace cdc::kafka
