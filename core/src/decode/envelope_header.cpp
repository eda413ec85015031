#include "cdc/decode/envelope_header.hpp"

#include <simdjson.h>

#include <charconv>

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

// One element of the sequence array at `pos`: null, or a quoted non-negative integer.
void skip_spaces(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
}

Result<std::optional<std::int64_t>> sequence_element(std::string_view text, std::size_t& pos) {
  skip_spaces(text, pos);
  auto bad = [&]() {
    return Status::decode_error("Debezium envelope field 'payload.source.sequence' is '" + std::string(text) +
                                "', expected [\"<LSN>\"|null,\"<LSN>\"|null]");
  };
  if (text.substr(pos, 4) == "null") {
    pos += 4;
    skip_spaces(text, pos);
    return std::optional<std::int64_t>();
  }
  if (pos >= text.size() || text[pos] != '"') return bad();
  ++pos;
  std::int64_t value = 0;
  const char* begin = text.data() + pos;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || ptr == end || *ptr != '"') return bad();
  pos += static_cast<std::size_t>(ptr - begin) + 1;
  skip_spaces(text, pos);
  return std::optional<std::int64_t>(value);
}

}  // namespace

std::optional<SnapshotMarker> snapshot_marker_from(std::string_view text) noexcept {
  if (text == "false") return SnapshotMarker::kFalse;
  if (text == "true") return SnapshotMarker::kTrue;
  if (text == "first") return SnapshotMarker::kFirst;
  if (text == "first_in_data_collection") return SnapshotMarker::kFirstInDataCollection;
  if (text == "last_in_data_collection") return SnapshotMarker::kLastInDataCollection;
  if (text == "last") return SnapshotMarker::kLast;
  if (text == "incremental") return SnapshotMarker::kIncremental;
  return std::nullopt;
}

Result<std::optional<std::int64_t>> parse_sequence_commit_lsn(std::string_view sequence) {
  std::size_t pos = 0;
  auto bad = [&]() {
    return Status::decode_error("Debezium envelope field 'payload.source.sequence' is '" +
                                std::string(sequence) + "', expected [\"<LSN>\"|null,\"<LSN>\"|null]");
  };
  if (sequence.empty() || sequence[0] != '[') return bad();
  pos = 1;
  CDC_ASSIGN_OR_RETURN(std::optional<std::int64_t> commit, sequence_element(sequence, pos));
  if (pos >= sequence.size() || sequence[pos] != ',') return bad();
  ++pos;
  CDC_ASSIGN_OR_RETURN(std::optional<std::int64_t> current, sequence_element(sequence, pos));
  static_cast<void>(current);
  if (pos + 1 != sequence.size() || sequence[pos] != ']') return bad();
  return commit;
}

// source.sequence[0]: Debezium 3.x writes the array as a JSON string; a plain JSON array is read too.
Result<std::optional<std::int64_t>> read_commit_lsn(simdjson::dom::object source) {
  std::optional<simdjson::dom::element> sequence = find_non_null({source, "payload.source", "sequence"});
  if (!sequence) return std::optional<std::int64_t>();
  std::string_view text;
  if (sequence->get_string().get(text) == simdjson::SUCCESS) return parse_sequence_commit_lsn(text);
  simdjson::dom::array array;
  simdjson::dom::element first;
  if (sequence->get_array().get(array) != simdjson::SUCCESS || array.at(0).get(first) != simdjson::SUCCESS) {
    return Status::decode_error(
        "Debezium envelope field 'payload.source.sequence' must be a string or an array of LSNs");
  }
  if (first.is_null()) return std::optional<std::int64_t>();
  if (first.get_string().get(text) != simdjson::SUCCESS) {
    return Status::decode_error("Debezium envelope field 'payload.source.sequence' holds a non-string LSN");
  }
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return Status::decode_error("Debezium envelope field 'payload.source.sequence' holds LSN '" +
                                std::string(text) + "', expected an integer");
  }
  return std::optional<std::int64_t>(value);
}

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
  CDC_ASSIGN_OR_RETURN(header.tx_id, optional_int64({source, "payload.source", "txId"}));
  CDC_ASSIGN_OR_RETURN(header.commit_lsn, read_commit_lsn(source));
  CDC_ASSIGN_OR_RETURN(std::optional<std::string_view> snapshot,
                       optional_string({source, "payload.source", "snapshot"}));
  if (snapshot) {
    std::optional<SnapshotMarker> marker = snapshot_marker_from(*snapshot);
    if (!marker) {
      return Status::decode_error("Debezium envelope field 'payload.source.snapshot' is '" +
                                  std::string(*snapshot) +
                                  "', expected one of true, first, first_in_data_collection, "
                                  "last_in_data_collection, last, false, incremental");
    }
    header.snapshot = *marker;
  }
  return header;
}

}  // namespace cdc::decode
