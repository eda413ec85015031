// libFuzzer target: the envelope header decoder must return a value or an error for any bytes, never
// crash, leak or hit undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cdc/decode/envelope_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  cdc::Result<cdc::decode::EnvelopeHeader> header = cdc::decode::decode_envelope_header(value);
  if (header.is_ok()) {
    // Touch every field so the sanitizers see any bad read.
    volatile std::size_t sink = header->schema.size() + header->table.size();
    static_cast<void>(sink);
  } else if (header.status().message().empty()) {
    __builtin_trap();  // every error must say what is wrong
  }
  return 0;
}
