// libFuzzer target: EventDecoder::decode must return an event or an error for any key/value bytes, never
// crash, leak or hit undefined behaviour. The input is split at its first NUL byte into key and value
// (no NUL: value only), and each input is decoded twice by one decoder so the schema-cache paths (miss,
// then hit) both run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/decode/event_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static cdc::decode::EventDecoder decoder;  // kept across inputs, like the consumer keeps it
  std::string_view input(reinterpret_cast<const char*>(data), size);
  cdc::kafka::Message message;
  message.topic = "fuzz.public.t";
  const std::size_t split = input.find('\0');
  if (split == std::string_view::npos) {
    message.value = std::string(input);
  } else {
    message.key = std::string(input.substr(0, split));
    if (split + 1 < input.size()) message.value = std::string(input.substr(split + 1));
  }
  for (int round = 0; round < 2; ++round) {
    cdc::Result<cdc::decode::ChangeEvent> event = decoder.decode(message);
    if (event.is_ok()) {
      volatile std::size_t sink = event->row.size() + event->key.size() + event->source_table.size();
      static_cast<void>(sink);
    } else if (event.status().message().empty()) {
      __builtin_trap();  // every error must say what is wrong
    }
  }
  return 0;
}
