#include "cdc/kafka/config.hpp"

#include <array>

namespace cdc::kafka {

bool is_secret_key(std::string_view key) noexcept {
  // librdkafka's sensitive properties: sasl.password, ssl.key.password, ssl.keystore.password,
  // ssl.key.pem, sasl.oauthbearer.client.secret, sasl.oauthbearer.config, ...
  constexpr std::array<std::string_view, 4> kMarkers = {"password", "secret", "key.pem",
                                                        "oauthbearer.config"};
  for (std::string_view marker : kMarkers) {
    if (key.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

std::string printable_value(std::string_view key, std::string_view value) {
  return is_secret_key(key) ? std::string("******") : std::string(value);
}

}  // namespace cdc::kafka
