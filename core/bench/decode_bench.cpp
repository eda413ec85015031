// Decode rate of EventDecoder on a realistic 10-column Debezium envelope (the schema is a cache hit after
// the first event, as in a real stream). Usage: decode_bench [events] [precise|string]: the numeric column
// as decimal.handling.mode=precise sends it (base64 unscaled bytes) or as =string with the propagated source
// type (exact text).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cdc/decode/event_decoder.hpp"

namespace {

const char* const kColumns =
    R"([{"type":"int64","optional":false,"default":0,"field":"id"},)"
    R"({"type":"string","optional":false,"field":"name"},)"
    R"({"type":"string","optional":true,"field":"email"},)"
    "PRICE_SCHEMA,"
    R"({"type":"int32","optional":true,"field":"quantity"},)"
    R"({"type":"boolean","optional":true,"default":true,"field":"active"},)"
    R"({"type":"double","optional":true,"field":"score"},)"
    R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"birthday"},)"
    R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"updated_at"},)"
    R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"created_at"}])";

const char* const kPrecisePrice =
    R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"})";
const char* const kStringPrice =
    R"({"type":"string","optional":true,"parameters":{"__debezium.source.column.type":"NUMERIC","__debezium.source.column.length":"10","__debezium.source.column.scale":"2"},"field":"price"})";

std::string replaced(std::string text, const std::string& what, const std::string& with) {
  text.replace(text.find(what), what.size(), with);
  return text;
}

std::string envelope(bool string_mode) {
  const std::string columns = replaced(kColumns, "PRICE_SCHEMA", string_mode ? kStringPrice : kPrecisePrice);
  const std::string value = std::string(R"({"type":"struct","fields":)") + columns +
                            R"(,"optional":true,"name":"dbserver1.public.customers.Value","field":")";
  const std::string source =
      R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},{"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"})";
  const std::string schema =
      R"({"type":"struct","fields":[)" + value + R"(before"},)" + value + R"(after"},)" + source +
      R"(,{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"},{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"}],"optional":false,"name":"dbserver1.public.customers.Envelope","version":2})";
  const std::string payload =
      R"({"before":null,"after":{"id":123456,"name":"Alice Example","email":"alice@example.com","price":"AeJA","quantity":3,"active":true,"score":4.75,"birthday":7300,"updated_at":1714557600123456,"created_at":"2024-05-01T10:00:00.123456Z"},"source":{"version":"3.6.3.Final","connector":"postgresql","name":"dbserver1","ts_ms":1714557600123,"snapshot":"false","db":"shop","sequence":"[\"24023800\",\"24023928\"]","ts_us":1714557600123000,"ts_ns":1714557600123000000,"schema":"public","table":"customers","txId":742,"lsn":24023928,"xmin":null},"transaction":{"id":"742:24023928","total_order":1,"data_collection_order":1},"op":"u","ts_ms":1714557600456,"ts_us":1714557600456000,"ts_ns":1714557600456000000})";
  const std::string body =
      replaced(payload, R"("price":"AeJA")", string_mode ? R"("price":"1234.56")" : R"("price":"AeJA")");
  std::string out = R"({"schema":)";
  out += schema;
  out += R"(,"payload":)";
  out += body;
  out += "}";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  cdc::kafka::Message message;
  message.topic = "dbserver1.public.customers";
  message.key =
      R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"default":0,"field":"id"}],"optional":false,"name":"dbserver1.public.customers.Key"},"payload":{"id":123456}})";
  const bool string_mode = argc > 2 && std::string(argv[2]) == "string";
  message.value = envelope(string_mode);
  cdc::decode::EventDecoder decoder;
  std::size_t cells = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < events; ++i) {
    message.offset = i;
    cdc::Result<cdc::decode::ChangeEvent> event = decoder.decode(message);
    if (!event.is_ok()) {
      std::fprintf(stderr, "%s\n", event.status().to_string().c_str());
      return 1;
    }
    cells += event->row.size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%ld events (%zu bytes each, %zu cells) in %.3f s: %.0f events/s, %.1f MB/s\n", events,
              message.value->size() + message.key->size(), cells, seconds, events / seconds,
              events * static_cast<double>(message.value->size()) / seconds / 1e6);
  return 0;
}
