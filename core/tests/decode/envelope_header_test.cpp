#include "cdc/decode/envelope_header.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "contains.hpp"

namespace cdc::decode {

// Readable failure output for EXPECT_EQ on headers.
void PrintTo(const EnvelopeHeader& header, std::ostream* out) {
  *out << "{op=" << op_code(header.op) << ", schema=\"" << header.schema << "\", table=\"" << header.table
       << "\", lsn=" << (header.lsn ? std::to_string(*header.lsn) : "null")
       << ", source_ts_ms=" << header.source_ts_ms << "}";
}

namespace {

using cdc::test::contains;

// Envelopes as Debezium 2.5 (pgoutput, JsonConverter with schemas.enable=true) writes them for
// public.users; see tests/data/envelopes/.
std::string read_envelope(const std::string& name) {
  std::ifstream file(std::string(CDC_ENVELOPE_DIR) + "/" + name + ".json", std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing test envelope " << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

EnvelopeHeader decode_ok(const std::string& value) {
  Result<EnvelopeHeader> header = decode_envelope_header(value);
  EXPECT_TRUE(header.is_ok()) << header.status().to_string();
  return header.is_ok() ? *header : EnvelopeHeader{};
}

std::string decode_error(const std::string& value) {
  Result<EnvelopeHeader> header = decode_envelope_header(value);
  EXPECT_FALSE(header.is_ok()) << "decoded: " << value;
  EXPECT_EQ(header.status().code(), StatusCode::kDecodeError);
  return header.status().message();
}

// A minimal schemas.enable=true envelope around `payload`.
std::string envelope(const std::string& payload) {
  return R"({"schema":{"type":"struct"},"payload":)" + payload + "}";
}

EnvelopeHeader header(Op op, std::string schema, std::string table, std::optional<std::int64_t> lsn,
                      std::int64_t ts_ms, std::optional<std::int64_t> tx_id,
                      SnapshotMarker snapshot = SnapshotMarker::kFalse,
                      std::optional<std::int64_t> commit_lsn = {}) {
  EnvelopeHeader out;
  out.op = op;
  out.schema = std::move(schema);
  out.table = std::move(table);
  out.lsn = lsn;
  out.source_ts_ms = ts_ms;
  out.commit_lsn = commit_lsn;
  out.tx_id = tx_id;
  out.snapshot = snapshot;
  return out;
}
EnvelopeHeader header_of(Op op, std::string schema, std::string table, std::int64_t lsn, std::int64_t ts) {
  return header(op, std::move(schema), std::move(table), lsn, ts, {});
}

struct RecordedCase {
  const char* file;
  EnvelopeHeader expected;
};

void PrintTo(const RecordedCase& recorded, std::ostream* out) { *out << recorded.file; }

class RecordedEnvelope : public ::testing::TestWithParam<RecordedCase> {};

TEST_P(RecordedEnvelope, DecodesHeader) {
  EXPECT_EQ(decode_ok(read_envelope(GetParam().file)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Debezium, RecordedEnvelope,
    ::testing::Values(
        RecordedCase{"create", header(Op::kCreate, "public", "users", 24023928, 1714557600123, 742)},
        RecordedCase{"update", header(Op::kUpdate, "public", "users", 24024512, 1714557700123, 743)},
        RecordedCase{"delete", header(Op::kDelete, "public", "users", 24025096, 1714557800123, 744)},
        RecordedCase{"read", header(Op::kRead, "public", "users", 24020000, 1714557500000, 740,
                                    SnapshotMarker::kTrue)},
        RecordedCase{"truncate", header(Op::kTruncate, "public", "users", 24025680, 1714557900123, 745)},
        RecordedCase{"message", header(Op::kMessage, "", "", 24026264, 1714558000123, {})}),
    [](const ::testing::TestParamInfo<RecordedCase>& info) { return std::string(info.param.file); });

TEST(EnvelopeHeader, NullOrAbsentLsnIsNullopt) {
  EXPECT_EQ(decode_ok(envelope(R"({"op":"r","source":{"schema":"s","table":"t","lsn":null,"ts_ms":5}})")).lsn,
            std::nullopt);
  EXPECT_EQ(decode_ok(envelope(R"({"op":"r","source":{"schema":"s","table":"t","ts_ms":5}})")).lsn,
            std::nullopt);
}

TEST(EnvelopeHeader, FieldOrderDoesNotMatter) {
  EnvelopeHeader header =
      decode_ok(envelope(R"({"source":{"ts_ms":9,"lsn":7,"table":"orders","schema":"sales"},"op":"u"})"));
  EXPECT_EQ(header, header_of(Op::kUpdate, "sales", "orders", 7, 9));
}

TEST(EnvelopeHeader, KeepsExactTableSpelling) {
  EnvelopeHeader header = decode_ok(
      envelope(R"({"op":"c","source":{"schema":"Sales Dept","table":"Order \"Lines\" é","ts_ms":1}})"));
  EXPECT_EQ(header.schema, "Sales Dept");
  EXPECT_EQ(header.table, "Order \"Lines\" é");
}

TEST(EnvelopeHeaderErrors, NotJson) {
  EXPECT_TRUE(contains(decode_error("not json"), "not valid JSON"));
  EXPECT_TRUE(contains(decode_error(""), "not valid JSON"));
  EXPECT_TRUE(contains(decode_error(read_envelope("create").substr(0, 500)), "not valid JSON"));
  EXPECT_TRUE(contains(decode_error(read_envelope("create") + "}"), "not valid JSON"));
}

TEST(EnvelopeHeaderErrors, RootMustBeAnObject) {
  EXPECT_TRUE(contains(decode_error("[1,2]"), "must be a JSON object"));
  EXPECT_TRUE(contains(decode_error("null"), "must be a JSON object"));
}

TEST(EnvelopeHeaderErrors, MissingPayloadPointsAtTheConverter) {
  // What JsonConverter writes with schemas.enable=false: the payload is the root.
  std::string message = decode_error(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":1}})");
  EXPECT_TRUE(contains(message, "no field 'payload'"));
  EXPECT_TRUE(contains(message, "schemas.enable=true"));
  EXPECT_TRUE(contains(decode_error(R"({"schema":null,"payload":null})"), "no field 'payload'"));
}

TEST(EnvelopeHeaderErrors, MissingOp) {
  EXPECT_TRUE(contains(decode_error(envelope(R"({"source":{"schema":"s","table":"t","ts_ms":1}})")),
                       "no field 'payload.op'"));
}

TEST(EnvelopeHeaderErrors, OpOfWrongTypeOrValue) {
  EXPECT_TRUE(contains(decode_error(envelope(R"({"op":1,"source":{}})")),
                       "'payload.op' must be a string, got an integer"));
  EXPECT_TRUE(
      contains(decode_error(envelope(R"({"op":"x","source":{}})")), "'payload.op' is 'x', expected one of"));
}

TEST(EnvelopeHeaderErrors, MissingOrBadSource) {
  EXPECT_TRUE(contains(decode_error(envelope(R"({"op":"c"})")), "no field 'payload.source'"));
  EXPECT_TRUE(
      contains(decode_error(envelope(R"({"op":"c","source":"x"})")), "'payload.source' must be an object"));
  EXPECT_TRUE(contains(decode_error(envelope(R"({"op":"c","source":{"schema":"s","ts_ms":1}})")),
                       "no field 'payload.source.table'"));
  EXPECT_TRUE(contains(decode_error(envelope(R"({"op":"c","source":{"table":"t","ts_ms":1}})")),
                       "no field 'payload.source.schema'"));
  EXPECT_TRUE(contains(decode_error(envelope(R"({"op":"c","source":{"schema":"s","table":"t"}})")),
                       "no field 'payload.source.ts_ms'"));
}

TEST(EnvelopeHeaderErrors, NumbersMustBeIntegers) {
  EXPECT_TRUE(
      contains(decode_error(envelope(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":"1"}})")),
               "'payload.source.ts_ms' must be a 64-bit integer, got a string"));
  EXPECT_TRUE(
      contains(decode_error(envelope(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":1.5}})")),
               "got a decimal number"));
  EXPECT_TRUE(contains(
      decode_error(
          envelope(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":1,"lsn":18446744073709551615}})")),
      "'payload.source.lsn' must be a 64-bit integer"));
}

TEST(EnvelopeHeader, MessageEventMayOmitTableNames) {
  EnvelopeHeader header = decode_ok(envelope(R"({"op":"m","source":{"ts_ms":3,"lsn":4}})"));
  EXPECT_EQ(header, header_of(Op::kMessage, "", "", 4, 3));
}

// Debezium 3.7 as measured: sequence is a JSON-array string, snapshot a string enum (absent = "false").
TEST(EnvelopeHeader, ReadsSequenceTxIdAndSnapshot) {
  EnvelopeHeader streamed = decode_ok(
      envelope(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":1,"lsn":26414304,"txId":735,)"
               R"("sequence":"[\"26414624\",\"26414304\"]"}})"));
  EXPECT_EQ(streamed.commit_lsn, 26414624);
  EXPECT_EQ(streamed.tx_id, 735);
  EXPECT_EQ(streamed.snapshot, SnapshotMarker::kFalse);
  EnvelopeHeader first = decode_ok(envelope(
      R"({"op":"r","source":{"schema":"s","table":"t","ts_ms":1,"lsn":5,"snapshot":"first_in_data_collection",)"
      R"("sequence":"[null,\"5\"]"}})"));
  EXPECT_EQ(first.commit_lsn, std::nullopt);
  EXPECT_EQ(first.snapshot, SnapshotMarker::kFirstInDataCollection);
  EXPECT_EQ(
      decode_ok(
          envelope(R"({"op":"r","source":{"schema":"s","table":"t","ts_ms":1,"snapshot":"incremental"}})"))
          .snapshot,
      SnapshotMarker::kIncremental);
}

TEST(EnvelopeHeader, RejectsMalformedSequenceAndSnapshot) {
  EXPECT_TRUE(contains(
      decode_error(
          envelope(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":1,"sequence":"[12,\"3\"]"}})")),
      "payload.source.sequence"));
  EXPECT_TRUE(contains(
      decode_error(
          envelope(R"({"op":"c","source":{"schema":"s","table":"t","ts_ms":1,"sequence":"[\"1\",\"2\""}})")),
      "payload.source.sequence"));
  EXPECT_TRUE(contains(decode_error(envelope(
                           R"({"op":"r","source":{"schema":"s","table":"t","ts_ms":1,"snapshot":"maybe"}})")),
                       "payload.source.snapshot"));
}

TEST(EnvelopeHeader, ParsesSequenceStrings) {
  EXPECT_EQ(*parse_sequence_commit_lsn(R"(["10","20"])"), 10);
  EXPECT_EQ(*parse_sequence_commit_lsn(R"([null,"20"])"), std::nullopt);
  EXPECT_EQ(*parse_sequence_commit_lsn(R"(["10",null])"), 10);
  EXPECT_FALSE(parse_sequence_commit_lsn(R"(["10","20"] )").is_ok());
  EXPECT_FALSE(parse_sequence_commit_lsn(R"(["x","20"])").is_ok());
  EXPECT_FALSE(parse_sequence_commit_lsn("").is_ok());
}

}  // namespace
}  // namespace cdc::decode
