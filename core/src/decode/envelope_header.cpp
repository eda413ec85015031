#include "cdc/decode/envelope_header.hpp"

#include <simdjson.h>

#include "envelope_fields.hpp"
#include "json_fields.hpp"

namespace cdc::decode {

namespace {

Result<simdjson::dom::object> parse_root(simdjson::dom::parser& parser, std::string_view value) {
  simdjson::dom::element root;
  if (auto error = parser.parse(value.data(), value.size()).get(root); error != simdjson::SUCCESS) {
    return Status::decode_error(std::string("Debezium envelope is not valid JSON: ") +
                                simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Status::decode_error("Debezium envelope must be a JSON object");
  }
  return object;
}

Result<Op> read_op(simdjson::dom::object payload) {
  CDC_ASSIGN_OR_RETURN(std::string_view code, require_string({payload, "payload", "op"}));
  std::optional<Op> op = op_from_code(code);
  if (!op) {
    return Status::decode_error("Debezium envelope field 'payload.op' is '" + std::string(code) +
                                "', expected one of c, u, d, r, t, m");
  }
  return *op;
}

// schema and table name the changed table; a logical decoding message belongs to no table, so for it an
// absent or null name reads as "".
Result<std::string> read_name(simdjson::dom::object source, std::string_view key, Op op) {
  FieldRef field{source, "payload.source", key};
  if (op != Op::kMessage) {
    CDC_ASSIGN_OR_RETURN(std::string_view name, require_string(field));
    return std::string(name);
  }
  CDC_ASSIGN_OR_RETURN(std::optional<std::string_view> name, optional_string(field));
  return std::string(name.value_or(""));
}

}  // namespace

Result<EnvelopeHeader> decode_envelope_header(std::string_view value) {
  thread_local simdjson::dom::parser parser;  // keeps its buffers between records
  CDC_ASSIGN_OR_RETURN(simdjson::dom::object root, parse_root(parser, value));
  if (!find_non_null({root, "", "payload"})) {
    return Status::decode_error(
        "Debezium envelope has no field 'payload' (the Kafka Connect value converter must be "
        "org.apache.kafka.connect.json.JsonConverter with value.converter.schemas.enable=true)");
  }
  CDC_ASSIGN_OR_RETURN(simdjson::dom::object payload, require_object({root, "", "payload"}));
  return read_envelope_header(payload);
}

Result<EnvelopeHeader> read_envelope_header(simdjson::dom::object payload) {
  CDC_ASSIGN_OR_RETURN(Op op, read_op(payload));
  CDC_ASSIGN_OR_RETURN(simdjson::dom::object source, require_object({payload, "payload", "source"}));

  EnvelopeHeader header;
  header.op = op;
  CDC_ASSIGN_OR_RETURN(header.schema, read_name(source, "schema", op));
  CDC_ASSIGN_OR_RETURN(header.table, read_name(source, "table", op));
  CDC_ASSIGN_OR_RETURN(header.lsn, optional_int64({source, "payload.source", "lsn"}));
  CDC_ASSIGN_OR_RETURN(header.source_ts_ms, require_int64({source, "payload.source", "ts_ms"}));
  return header;
}

}  // namespace cdc::decode
