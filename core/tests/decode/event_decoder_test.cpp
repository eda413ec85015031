#include "cdc/decode/event_decoder.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "cell_printer.hpp"
#include "contains.hpp"

namespace cdc::decode {
namespace {

using namespace cdc::test;  // NOLINT: cell builders
using types::Cell;

std::string read_envelope(const std::string& name) {
  std::ifstream file(std::string(CDC_ENVELOPE_DIR) + "/" + name + ".json", std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing test envelope " << name;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

kafka::Message message(std::optional<std::string> key, std::optional<std::string> value,
                       std::string topic = "dbserver1.public.users", std::int64_t offset = 7) {
  kafka::Message m;
  m.topic = std::move(topic);
  m.partition = 2;
  m.offset = offset;
  m.key = std::move(key);
  m.value = std::move(value);
  return m;
}

const std::string kUsersKey =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"}],"optional":false,"name":"dbserver1.public.users.Key"},"payload":{"id":1}})";

ChangeEvent decode_ok(EventDecoder& decoder, const kafka::Message& m) {
  Result<ChangeEvent> event = decoder.decode(m);
  EXPECT_TRUE(event.is_ok()) << event.status().to_string();
  return event.is_ok() ? std::move(event).value() : ChangeEvent{};
}

std::size_t column(const ChangeEvent& event, const std::string& name) {
  for (std::size_t i = 0; i < event.schema->fields.size(); ++i) {
    if (event.schema->fields[i].name == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(EventDecoder, CreateUpdateReadCarryTheAfterImageAndKey) {
  EventDecoder decoder;
  for (const char* name : {"create", "update", "read"}) {
    ChangeEvent event = decode_ok(decoder, message(kUsersKey, read_envelope(name)));
    ASSERT_TRUE(event.schema) << name;
    EXPECT_EQ(event.source_schema, "public");
    EXPECT_EQ(event.source_table, "users");
    ASSERT_EQ(event.row.size(), 4U);
    EXPECT_EQ(event.row[0], int_cell(1));
    EXPECT_EQ(event.row[3], int_cell(1714557600123456));
    EXPECT_EQ(event.key, (types::Row{int_cell(1)}));
    EXPECT_EQ(event.schema->key_indexes, (std::vector<std::size_t>{0}));
    EXPECT_EQ(event.topic, "dbserver1.public.users");
    EXPECT_EQ(event.partition, 2);
    EXPECT_EQ(event.offset, 7);
  }
}

TEST(EventDecoder, KindsFollowOp) {
  EventDecoder decoder;
  EXPECT_EQ(decode_ok(decoder, message(kUsersKey, read_envelope("create"))).kind, EventKind::kCreate);
  EXPECT_EQ(decode_ok(decoder, message(kUsersKey, read_envelope("update"))).kind, EventKind::kUpdate);
  EXPECT_EQ(decode_ok(decoder, message(kUsersKey, read_envelope("read"))).kind, EventKind::kRead);
  ChangeEvent deleted = decode_ok(decoder, message(kUsersKey, read_envelope("delete")));
  EXPECT_EQ(deleted.kind, EventKind::kDelete);
  EXPECT_EQ(deleted.key, (types::Row{int_cell(1)}));
  EXPECT_EQ(deleted.row[2], text_cell("alice@example.org"));
  ChangeEvent truncated = decode_ok(decoder, message(std::nullopt, read_envelope("truncate")));
  EXPECT_EQ(truncated.kind, EventKind::kTruncate);
  EXPECT_EQ(truncated.schema, deleted.schema);
  EXPECT_TRUE(truncated.row.empty());
  ChangeEvent skipped =
      decode_ok(decoder, message(std::nullopt, read_envelope("message"), "dbserver1.message"));
  EXPECT_EQ(skipped.kind, EventKind::kSkip);
  EXPECT_EQ(skipped.schema, nullptr);
}

TEST(EventDecoder, TombstoneDecodesItsKeyOnceTheTopicIsKnown) {
  EventDecoder decoder;
  ChangeEvent unknown = decode_ok(decoder, message(kUsersKey, std::nullopt));
  EXPECT_EQ(unknown.kind, EventKind::kTombstone);
  EXPECT_TRUE(unknown.key.empty());
  EXPECT_EQ(unknown.bytes, kUsersKey.size());
  decode_ok(decoder, message(kUsersKey, read_envelope("delete")));
  ChangeEvent known = decode_ok(decoder, message(kUsersKey, std::nullopt));
  EXPECT_EQ(known.kind, EventKind::kTombstone);
  EXPECT_EQ(known.key, (types::Row{int_cell(1)}));
  EXPECT_FALSE(known.schema_changed);
}

TEST(EventDecoder, SchemaIsParsedOncePerDistinctText) {
  EventDecoder decoder;
  ChangeEvent first = decode_ok(decoder, message(kUsersKey, read_envelope("create")));
  EXPECT_TRUE(first.schema_changed);  // the first event of a topic
  for (int i = 0; i < 5; ++i) {
    ChangeEvent next = decode_ok(decoder, message(kUsersKey, read_envelope("update")));
    EXPECT_FALSE(next.schema_changed);
    EXPECT_EQ(next.schema, first.schema);
  }
  EXPECT_EQ(decoder.schema_cache().parse_count(), 1U);
  // The same schema on another topic is a cache hit, but the first event of that topic.
  ChangeEvent other = decode_ok(decoder, message(kUsersKey, read_envelope("create"), "other.public.users"));
  EXPECT_TRUE(other.schema_changed);
  EXPECT_EQ(other.schema, first.schema);
  EXPECT_EQ(decoder.schema_cache().parse_count(), 1U);
}

TEST(EventDecoder, ChangedSchemaIsFlaggedOnceAndChangingBackIsAHit) {
  EventDecoder decoder;
  std::string original = read_envelope("create");
  std::string widened = original;
  // ALTER TABLE users ADD COLUMN age int: the new column appears in before and after.
  const std::string email = R"({"type":"string","optional":true,"field":"email"},)";
  for (std::size_t at = widened.find(email); at != std::string::npos; at = widened.find(email, at + 1)) {
    widened.insert(at + email.size(), R"({"type":"int32","optional":true,"default":42,"field":"age"},)");
  }
  ASSERT_NE(widened, original);
  EXPECT_TRUE(decode_ok(decoder, message(kUsersKey, original)).schema_changed);
  ChangeEvent changed = decode_ok(decoder, message(kUsersKey, widened));
  EXPECT_TRUE(changed.schema_changed);
  ASSERT_EQ(changed.schema->fields.size(), 5U);
  EXPECT_EQ(changed.schema->fields[3].name, "age");
  EXPECT_EQ(changed.schema->fields[3].default_sql, "42");
  EXPECT_TRUE(changed.row[3].is_null());  // the payload has no age: NULL
  EXPECT_FALSE(decode_ok(decoder, message(kUsersKey, widened)).schema_changed);
  EXPECT_TRUE(decode_ok(decoder, message(kUsersKey, original)).schema_changed);
  EXPECT_EQ(decoder.schema_cache().parse_count(), 2U);
}

TEST(EventDecoder, KeylessTableHasNoKeyAndUpdatesCarryTheBeforeImage) {
  EventDecoder decoder;
  ChangeEvent created = decode_ok(decoder, message(std::nullopt, read_envelope("create")));
  EXPECT_TRUE(created.schema->key_indexes.empty());
  EXPECT_TRUE(created.key.empty());
  ChangeEvent updated = decode_ok(decoder, message(std::nullopt, read_envelope("update")));
  EXPECT_EQ(updated.before.size(), 4U);
  EXPECT_EQ(updated.before[2], text_cell("alice@example.com"));
  EXPECT_EQ(updated.row[2], text_cell("alice@example.org"));
  ChangeEvent keyed = decode_ok(decoder, message(kUsersKey, read_envelope("update")));
  EXPECT_TRUE(keyed.schema_changed);  // gaining a key changes the table's schema
  EXPECT_TRUE(keyed.before.empty());
}

TEST(EventDecoder, CompositeKeyFollowsTheKeySchemaOrder) {
  const std::string value_schema =
      R"({"type":"struct","fields":[{"type":"struct","fields":[{"type":"int32","optional":false,"field":"order_id"},{"type":"int16","optional":false,"field":"line_no"},{"type":"string","optional":true,"field":"sku"}],"optional":true,"name":"dbserver1.public.lines.Value","field":"before"},{"type":"struct","fields":[{"type":"int32","optional":false,"field":"order_id"},{"type":"int16","optional":false,"field":"line_no"},{"type":"string","optional":true,"field":"sku"}],"optional":true,"name":"dbserver1.public.lines.Value","field":"after"}],"optional":false,"name":"dbserver1.public.lines.Envelope","version":2})";
  const std::string source = R"("source":{"schema":"public","table":"lines","ts_ms":5,"lsn":9})";
  const std::string key =
      R"({"schema":{"type":"struct","fields":[{"type":"int16","optional":false,"field":"line_no"},{"type":"int32","optional":false,"field":"order_id"}],"optional":false,"name":"dbserver1.public.lines.Key"},"payload":{"line_no":2,"order_id":10}})";
  EventDecoder decoder;
  ChangeEvent created = decode_ok(
      decoder, message(key,
                       R"({"schema":)" + value_schema +
                           R"(,"payload":{"before":null,"after":{"order_id":10,"line_no":2,"sku":"x"},)" +
                           source + R"(,"op":"c"}})",
                       "dbserver1.public.lines"));
  EXPECT_EQ(created.schema->key_indexes, (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(created.key, (types::Row{int_cell(2), int_cell(10)}));
  ChangeEvent deleted =
      decode_ok(decoder, message(key,
                                 R"({"schema":)" + value_schema +
                                     R"(,"payload":{"before":null,"after":null,)" + source + R"(,"op":"d"}})",
                                 "dbserver1.public.lines"));
  EXPECT_EQ(deleted.key, (types::Row{int_cell(2), int_cell(10)}));
  EXPECT_TRUE(deleted.row.empty());  // REPLICA IDENTITY NOTHING: no before-image
}

TEST(EventDecoder, AllTypesEnvelope) {
  EventDecoder decoder;
  const std::string key = read_envelope("all_types_key");
  ChangeEvent e =
      decode_ok(decoder, message(key, read_envelope("all_types_create"), "dbserver1.public.all_types"));
  ASSERT_TRUE(e.schema);
  EXPECT_EQ(e.lsn, 33554432);
  EXPECT_EQ(e.source_ts_ms, 1714557600123);
  EXPECT_EQ(e.bytes, key.size() + read_envelope("all_types_create").size());
  struct Expect {
    const char* column;
    const char* duck_type;
    Cell cell;
  };
  const Expect expected[] = {
      {"id", "INTEGER", int_cell(1)},
      {"c_smallint", "SMALLINT", int_cell(-32768)},
      {"c_bigint", "BIGINT", int_cell(std::numeric_limits<std::int64_t>::max())},
      {"c_real", "REAL", Cell{1.5}},
      {"c_double", "DOUBLE", Cell{std::numeric_limits<double>::quiet_NaN()}},
      {"c_bool", "BOOLEAN", Cell{true}},
      {"c_text", "VARCHAR", text_cell("h\xC3\xA9llo \xE2\x98\x83")},
      {"c_varchar", "VARCHAR", text_cell("")},
      {"c_numeric", "DECIMAL(10,2)", decimal_cell(-150)},
      {"c_numeric_wide", "VARCHAR", text_cell("12345678901234567890123456789012345678.90")},
      {"c_numeric_var", "VARCHAR", text_cell("3.14159")},
      {"c_money", "DECIMAL(38,2)", decimal_cell(123456)},
      {"c_date", "DATE", int_cell(-165)},
      {"c_time", "TIME", int_cell(45296789012)},
      {"c_time3", "TIME", int_cell(45296789000)},
      {"c_timetz", "TIMETZ", text_cell("11:34:56.789012Z")},
      {"c_ts", "TIMESTAMP", int_cell(std::numeric_limits<std::int64_t>::max())},
      {"c_ts3", "TIMESTAMP", int_cell(-2208988800000000)},
      {"c_tstz", "TIMESTAMPTZ", int_cell(1529500396945104)},
      {"c_interval", "INTERVAL", interval_cell(0, 0, 5259600000000000)},
      {"c_json", "JSON", text_cell(R"({"a": 1})")},
      {"c_uuid", "UUID", text_cell("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")},
      {"c_enum", "VARCHAR", text_cell("green")},
      {"c_bytea", "BLOB", text_cell(std::string("\x00\xff\x10", 3))},
      {"c_bit", "BIT", text_cell("0101")},
      {"c_bit1", "BOOLEAN", Cell{true}},
      {"c_int_arr", "INTEGER[]", list_cell({int_cell(1), null_cell(), int_cell(3)})},
      {"c_text_arr", "VARCHAR[]", list_cell({})},
      {"c_hstore", "JSON", text_cell(R"({"k":"v"})")},
      {"c_xml", "VARCHAR", text_cell("<a/>")},
  };
  for (const Expect& x : expected) {
    const std::size_t i = column(e, x.column);
    EXPECT_EQ(e.schema->fields[i].type.duck_type(), x.duck_type) << x.column;
    EXPECT_EQ(e.row[i], x.cell) << x.column;
  }
  EXPECT_EQ(e.row[column(e, "c_point")],
            text_cell(std::string("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"
                                  "\x00\x00\x00\x00\x00\x00\x00\x40",
                                  21)));
  // Defaults rendered as SQL literals of the DuckDB type.
  EXPECT_EQ(e.schema->fields[column(e, "id")].default_sql, "0");
  EXPECT_EQ(e.schema->fields[column(e, "c_smallint")].default_sql, "7");
  EXPECT_EQ(e.schema->fields[column(e, "c_bool")].default_sql, "true");
  EXPECT_EQ(e.schema->fields[column(e, "c_text")].default_sql, "'it''s'");
  EXPECT_EQ(e.schema->fields[column(e, "c_numeric")].default_sql, "1234.56");
  EXPECT_EQ(e.schema->fields[column(e, "c_date")].default_sql, "DATE '2024-05-01'");
  EXPECT_EQ(e.schema->fields[column(e, "c_tstz")].default_sql, "TIMESTAMPTZ '1970-01-01 00:00:00+00'");
  EXPECT_EQ(e.schema->fields[column(e, "c_varchar")].default_sql, std::nullopt);
  EXPECT_FALSE(e.schema->fields[column(e, "id")].optional);
  EXPECT_TRUE(e.schema->fields[column(e, "c_text")].optional);
}

TEST(EventDecoder, AllTypesToastPlaceholders) {
  EventDecoder decoder;
  ChangeEvent e =
      decode_ok(decoder, message(read_envelope("all_types_key"), read_envelope("all_types_update_toast"),
                                 "dbserver1.public.all_types"));
  for (const char* name : {"c_text", "c_jsonb", "c_bytea", "c_int_arr", "c_text_arr", "c_hstore", "c_xml"}) {
    EXPECT_EQ(e.row[column(e, name)], unavailable()) << name;
  }
  EXPECT_EQ(e.row[column(e, "c_smallint")], int_cell(5));
}

TEST(EventDecoder, AllTypesDeleteWithDefaultReplicaIdentity) {
  EventDecoder decoder;
  ChangeEvent e =
      decode_ok(decoder, message(read_envelope("all_types_key"), read_envelope("all_types_delete"),
                                 "dbserver1.public.all_types"));
  EXPECT_EQ(e.kind, EventKind::kDelete);
  EXPECT_EQ(e.key, (types::Row{int_cell(1)}));
  EXPECT_EQ(e.row[column(e, "c_text")], null_cell());
}

TEST(EventDecoder, SkipsHeartbeatsAndTransactionMetadata) {
  EventDecoder decoder;
  const std::string heartbeat =
      R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,"name":"io.debezium.connector.common.Heartbeat"},"payload":{"ts_ms":1714557600123}})";
  EXPECT_EQ(decode_ok(decoder, message(std::nullopt, heartbeat, "__debezium-heartbeat.dbserver1")).kind,
            EventKind::kSkip);
  const std::string transaction =
      R"({"schema":{"type":"struct","fields":[],"name":"io.debezium.connector.common.TransactionMetadataValue"},"payload":{"status":"BEGIN","id":"571:53195829","event_count":null,"data_collections":null,"ts_ms":1}})";
  EXPECT_EQ(decode_ok(decoder, message(std::nullopt, transaction, "dbserver1.transaction")).kind,
            EventKind::kSkip);
}

TEST(EventDecoder, AcceptsOtherMemberOrderAndWhitespace) {
  EventDecoder decoder;
  std::string create = read_envelope("create");
  const std::size_t payload_at = create.find(R"(,"payload":)");
  const std::string schema_part = create.substr(10, payload_at - 10);
  const std::string payload_part = create.substr(payload_at + 11, create.size() - payload_at - 12);
  const std::string reordered =
      "{ \"payload\" : " + payload_part + " ,\n \"schema\": " + schema_part + " }\n";
  ChangeEvent event = decode_ok(decoder, message(kUsersKey, reordered));
  EXPECT_EQ(event.row[0], int_cell(1));
  ChangeEvent again = decode_ok(decoder, message(kUsersKey, create));
  EXPECT_FALSE(again.schema_changed);
}

TEST(EventDecoder, ErrorsNameTopicPartitionOffsetTableAndColumn) {
  EventDecoder decoder;
  std::string bad = read_envelope("create");
  bad.replace(bad.find(R"("id":1,"name")"), 6, R"("id":"x")");
  Result<ChangeEvent> event = decoder.decode(message(kUsersKey, bad, "dbserver1.public.users", 42));
  ASSERT_FALSE(event.is_ok());
  const std::string& text = event.status().message();
  EXPECT_TRUE(contains(text, "topic dbserver1.public.users partition 2 offset 42"));
  EXPECT_TRUE(contains(text, "table public.users"));
  EXPECT_TRUE(contains(text, "column 'id'"));
}

TEST(EventDecoder, RejectsRecordsThatAreNotEnvelopes) {
  EventDecoder decoder;
  for (
      const char* value :
      {"", "null", "[]", "{", R"({"payload":{"op":"c"}})", R"({"schema":{},"payload":5})",
       R"({"schema":{"type":"struct"},"payload":{"op":"c","source":{"schema":"s","table":"t","ts_ms":1},"after":{}}})",
       R"({"schema":{"type":"struct","fields":[]},"payload":{"id":1}})",
       "{\"schema\":{},\"payload\":{\"op\":\"c\"}} x"}) {
    Result<ChangeEvent> event = decoder.decode(message(std::nullopt, std::string(value)));
    EXPECT_FALSE(event.is_ok()) << value;
    EXPECT_TRUE(contains(event.status().message(), "offset 7")) << value;
  }
}

}  // namespace
}  // namespace cdc::decode
