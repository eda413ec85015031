// Splits a JsonConverter record {"schema": {...}, "payload": ...} into the raw text of its two parts
// without parsing the schema (private to src/decode): the schema text is what the schema cache is keyed
// by, and only the payload is parsed into a DOM on every event.
//
// Fast path: JsonConverter writes "schema" first and "payload" last, and a topic's schema text rarely
// changes, so the schema is matched with one memcmp against the topic's previous schema text (`hint`) and
// the payload is taken to run to the record's final '}'. The DOM parse of the payload verifies that; when
// the record is shaped differently, parse_payload() re-splits it with a full scan.
#pragma once

#include <simdjson.h>

#include <string_view>
#include <vector>

#include "cdc/status.hpp"

namespace cdc::decode {

struct RecordParts {
  std::string_view schema;      // raw JSON of the "schema" object; "" when absent or null
  std::string_view payload;     // raw JSON of the "payload" value; "" when absent or null
  bool schema_is_hint = false;  // the schema text equals the hint given to split()
};

// Reuses its buffer and DOM parser between records; views stay valid until the next split().
class RecordSplitter {
 public:
  // `what` names the record part in errors ("value" or "key"). `precise` scans every member instead of
  // assuming JsonConverter's member order (used for keys, which are small).
  Result<RecordParts> split(std::string_view record, std::string_view what, std::string_view hint,
                            bool precise = false);

  // The payload of `parts` (from the last split()) as a DOM element.
  Result<simdjson::dom::element> parse_payload(RecordParts& parts, std::string_view what);

 private:
  Result<RecordParts> scan(std::string_view what, bool precise);

  std::vector<char> buffer_;
  std::size_t size_ = 0;
  std::string_view hint_;
  simdjson::dom::parser dom_;
};

}  // namespace cdc::decode
