// Base64 (RFC 4648, standard alphabet, '=' padding), as Kafka Connect's JsonConverter writes BYTES.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cdc::decode {

// The decoded bytes, or nullopt when `text` is not canonical padded base64.
std::optional<std::string> decode_base64(std::string_view text);

std::string encode_base64(std::string_view bytes);

}  // namespace cdc::decode
