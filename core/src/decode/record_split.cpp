#include "record_split.hpp"

#include <cstring>
#include <string>

namespace cdc::decode {

namespace {

constexpr std::size_t kBad = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::size_t skip_space(std::string_view text, std::size_t pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
  return pos;
}

// End (one past the closing quote) of the string starting at `pos`, or kBad.
std::size_t skip_string(std::string_view text, std::size_t pos) {
  if (pos >= text.size() || text[pos] != '"') return kBad;
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;
    } else if (text[pos] == '"') {
      return pos + 1;
    }
  }
  return kBad;
}

// End of the JSON value starting at `pos` by bracket balance (its content is validated by whoever parses
// it), or kBad.
std::size_t skip_value(std::string_view text, std::size_t pos) {
  int depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = skip_string(text, pos);
      if (pos == kBad) return kBad;
      if (depth == 0) return pos;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth < 0) return kBad;
      if (depth == 0) return pos + 1;
    } else if (depth == 0 && (c == ',' || is_space(c))) {
      return pos;  // end of a scalar
    }
    ++pos;
  }
  return depth == 0 ? pos : kBad;
}

std::string_view trim_null(std::string_view value) { return value == "null" ? std::string_view() : value; }

Status not_a_record(std::string_view what) {
  return Status::decode_error("Kafka record " + std::string(what) +
                              " is not a JSON object of the form {\"schema\": ..., \"payload\": ...}");
}

}  // namespace

Result<RecordParts> RecordSplitter::split(std::string_view record, std::string_view what,
                                          std::string_view hint, bool precise) {
  buffer_.resize(record.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buffer_.data(), record.data(), record.size());
  size_ = record.size();
  hint_ = hint;
  return scan(what, precise);
}

Result<RecordParts> RecordSplitter::scan(std::string_view what, bool precise) {
  const std::string_view text(buffer_.data(), size_);
  RecordParts parts;
  std::size_t pos = skip_space(text, 0);
  if (pos >= text.size() || text[pos] != '{') return not_a_record(what);
  pos = skip_space(text, pos + 1);
  while (pos < text.size() && text[pos] != '}') {
    const std::size_t key_end = skip_string(text, pos);
    if (key_end == kBad) return not_a_record(what);
    const std::string_view key = text.substr(pos + 1, key_end - pos - 2);
    pos = skip_space(text, key_end);
    if (pos >= text.size() || text[pos] != ':') return not_a_record(what);
    const std::size_t start = skip_space(text, pos + 1);
    std::size_t end = kBad;
    if (key == "schema" && !hint_.empty() && text.substr(start, hint_.size()) == hint_) {
      end = start + hint_.size();
      parts.schema_is_hint = true;
    } else if (key == "payload" && !precise) {
      // Assume the payload is the last member; parse_payload() checks and re-scans if it is not.
      std::size_t last = text.find_last_not_of(" \n\r\t");
      if (last == kBad || last <= start || text[last] != '}') return not_a_record(what);
      parts.payload = trim_null(text.substr(start, text.find_last_not_of(" \n\r\t", last - 1) + 1 - start));
      return parts;
    } else {
      end = skip_value(text, start);
    }
    if (end == kBad) return not_a_record(what);
    if (key == "schema") parts.schema = trim_null(text.substr(start, end - start));
    if (key == "payload") parts.payload = trim_null(text.substr(start, end - start));
    pos = skip_space(text, end);
    if (pos < text.size() && text[pos] == ',') pos = skip_space(text, pos + 1);
  }
  if (pos >= text.size() || skip_space(text, pos + 1) != text.size()) return not_a_record(what);
  return parts;
}

Result<simdjson::dom::element> RecordSplitter::parse_payload(RecordParts& parts, std::string_view what) {
  simdjson::dom::element payload;
  // The view lies inside buffer_, which is padded, so the parser may read past its end.
  auto error = dom_.parse(parts.payload.data(), parts.payload.size(), false).get(payload);
  if (error == simdjson::SUCCESS) return payload;
  CDC_ASSIGN_OR_RETURN(RecordParts exact, scan(what, true));
  if (exact.payload.data() != parts.payload.data() || exact.payload.size() != parts.payload.size()) {
    parts = exact;
    error = dom_.parse(parts.payload.data(), parts.payload.size(), false).get(payload);
  }
  if (error != simdjson::SUCCESS) {
    return Status::decode_error("Kafka record " + std::string(what) +
                                " payload is not valid JSON: " + simdjson::error_message(error));
  }
  return payload;
}

}  // namespace cdc::decode
