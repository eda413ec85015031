#include "cdc/decode/event_decoder.hpp"

#include <string>

#include "envelope_fields.hpp"
#include "json_fields.hpp"
#include "record_split.hpp"
#include "row_decoder.hpp"

namespace cdc::decode {

namespace {

EventKind kind_of(Op op) {
  switch (op) {
    case Op::kCreate:
      return EventKind::kCreate;
    case Op::kUpdate:
      return EventKind::kUpdate;
    case Op::kDelete:
      return EventKind::kDelete;
    case Op::kRead:
      return EventKind::kRead;
    case Op::kTruncate:
      return EventKind::kTruncate;
    case Op::kMessage:
      return EventKind::kSkip;
  }
  return EventKind::kSkip;
}

// Records on a table topic's neighbours that are not change events: heartbeats ({"ts_ms"} on
// __debezium-heartbeat.<prefix>) and transaction metadata ({"status", "id", ...} on <prefix>.transaction).
bool is_non_change_record(const kafka::Message& message, simdjson::dom::object payload) {
  if (find_non_null({payload, "payload", "op"})) return false;
  if (message.topic.rfind("__debezium-heartbeat", 0) == 0) return true;
  return find_non_null({payload, "payload", "status"}) && find_non_null({payload, "payload", "id"});
}

Result<simdjson::dom::object> as_object(Result<simdjson::dom::element> element, std::string_view what) {
  CDC_ASSIGN_OR_RETURN(simdjson::dom::element value, std::move(element));
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Status::decode_error("Kafka record " + std::string(what) + " payload is not a JSON object");
  }
  return object;
}

}  // namespace

struct EventDecoder::Impl {
  RecordSplitter value_splitter;
  RecordSplitter key_splitter;
  SchemaCache cache;

  Result<ChangeEvent> decode(const kafka::Message& message);
  Status decode_tombstone(const kafka::Message& message, ChangeEvent& event);
  Status decode_change(const kafka::Message& message, const RecordParts& value, simdjson::dom::object payload,
                       const SchemaCache::TopicSchema* current, ChangeEvent& event);
  Result<RecordParts> split_key(const kafka::Message& message, const SchemaCache::TopicSchema* current);
  Status resolve_schema(const kafka::Message& message, const RecordParts& value, const RecordParts& key,
                        const SchemaCache::TopicSchema* current, ChangeEvent& event);
};

Result<RecordParts> EventDecoder::Impl::split_key(const kafka::Message& message,
                                                  const SchemaCache::TopicSchema* current) {
  if (!message.key || message.key->empty()) return RecordParts{};
  return key_splitter.split(*message.key, "key", current ? current->key_schema_json : std::string_view(),
                            true);
}

// The common case costs two memcmps (done by the splitters): both texts equal the topic's current ones.
Status EventDecoder::Impl::resolve_schema(const kafka::Message& message, const RecordParts& value,
                                          const RecordParts& key, const SchemaCache::TopicSchema* current,
                                          ChangeEvent& event) {
  if (current && value.schema_is_hint &&
      (key.schema_is_hint || (key.schema.empty() && current->key_schema_json.empty()))) {
    event.schema = current->schema;
    return Status::ok();
  }
  CDC_ASSIGN_OR_RETURN(event.schema, cache.get(value.schema, key.schema));
  event.schema_changed = cache.set_topic_schema(message.topic, event.schema, value.schema, key.schema);
  return Status::ok();
}

Status EventDecoder::Impl::decode_tombstone(const kafka::Message& message, ChangeEvent& event) {
  event.kind = EventKind::kTombstone;
  const SchemaCache::TopicSchema* current = cache.topic(message.topic);
  if (!current || current->schema->key_indexes.empty()) return Status::ok();
  std::shared_ptr<const TableSchema> schema = current->schema;
  CDC_ASSIGN_OR_RETURN(RecordParts key, split_key(message, current));
  if (key.payload.empty()) return Status::ok();
  CDC_ASSIGN_OR_RETURN(simdjson::dom::object key_payload,
                       as_object(key_splitter.parse_payload(key, "key"), "key"));
  CDC_RETURN_IF_ERROR(decode_key(key_payload, *schema, event.key));
  event.schema = std::move(schema);
  return Status::ok();
}

Status EventDecoder::Impl::decode_change(const kafka::Message& message, const RecordParts& value,
                                         simdjson::dom::object payload,
                                         const SchemaCache::TopicSchema* current, ChangeEvent& event) {
  if (value.schema.empty()) {
    return Status::decode_error(
        "Kafka record value has no 'schema' (set value.converter.schemas.enable=true and "
        "key.converter.schemas.enable=true on the connector)");
  }
  CDC_ASSIGN_OR_RETURN(RecordParts key, split_key(message, current));
  CDC_RETURN_IF_ERROR(resolve_schema(message, value, key, current, event));
  const TableSchema& schema = *event.schema;
  simdjson::dom::object image;
  if (event.kind == EventKind::kDelete) {
    // A null before-image is allowed (REPLICA IDENTITY NOTHING): the key still identifies the row.
    if (find_non_null({payload, "payload", "before"})) {
      CDC_ASSIGN_OR_RETURN(image, require_object({payload, "payload", "before"}));
      CDC_RETURN_IF_ERROR(decode_row(image, schema, event.row));
    }
    if (schema.key_indexes.empty() || key.payload.empty()) return Status::ok();
    CDC_ASSIGN_OR_RETURN(simdjson::dom::object key_payload,
                         as_object(key_splitter.parse_payload(key, "key"), "key"));
    return decode_key(key_payload, schema, event.key);
  }
  CDC_ASSIGN_OR_RETURN(image, require_object({payload, "payload", "after"}));
  // Only an update leaves TOASTed columns out: in an insert or a snapshot read the placeholder's text is
  // a real value (a text column may hold '__debezium_unavailable_value').
  CDC_RETURN_IF_ERROR(decode_row(image, schema, event.row, event.kind == EventKind::kUpdate));
  key_from_row(event.row, schema, event.key);
  if (event.kind == EventKind::kUpdate && schema.key_indexes.empty() &&
      find_non_null({payload, "payload", "before"})) {
    CDC_ASSIGN_OR_RETURN(image, require_object({payload, "payload", "before"}));
    CDC_RETURN_IF_ERROR(decode_row(image, schema, event.before));
  }
  return Status::ok();
}

Result<ChangeEvent> EventDecoder::Impl::decode(const kafka::Message& message) {
  ChangeEvent event;
  event.topic = message.topic;
  event.partition = message.partition;
  event.offset = message.offset;
  event.bytes = (message.key ? message.key->size() : 0) + (message.value ? message.value->size() : 0);
  if (!message.value) {
    CDC_RETURN_IF_ERROR(decode_tombstone(message, event));
    return event;
  }
  const SchemaCache::TopicSchema* current = cache.topic(message.topic);
  CDC_ASSIGN_OR_RETURN(RecordParts value,
                       value_splitter.split(*message.value, "value",
                                            current ? current->value_schema_json : std::string_view()));
  if (value.payload.empty()) {
    return Status::decode_error(
        "Kafka record value has no 'payload' (the value converter must be "
        "org.apache.kafka.connect.json.JsonConverter with value.converter.schemas.enable=true)");
  }
  CDC_ASSIGN_OR_RETURN(simdjson::dom::object payload,
                       as_object(value_splitter.parse_payload(value, "value"), "value"));
  if (is_non_change_record(message, payload)) return event;  // kSkip
  CDC_ASSIGN_OR_RETURN(EnvelopeHeader header, read_envelope_header(payload));
  event.kind = kind_of(header.op);
  event.source_schema = std::move(header.schema);
  event.source_table = std::move(header.table);
  event.lsn = header.lsn;
  event.commit_lsn = header.commit_lsn;
  event.tx_id = header.tx_id;
  event.snapshot = header.snapshot;
  event.source_ts_ms = header.source_ts_ms;
  if (event.kind == EventKind::kSkip) return event;
  if (event.kind == EventKind::kTruncate) {
    if (current) event.schema = current->schema;
    return event;
  }
  Status status = decode_change(message, value, payload, current, event);
  if (!status.is_ok()) return status.with_context("table " + event.source_schema + "." + event.source_table);
  return event;
}

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;
EventDecoder::EventDecoder(EventDecoder&&) noexcept = default;
EventDecoder& EventDecoder::operator=(EventDecoder&&) noexcept = default;

Result<ChangeEvent> EventDecoder::decode(const kafka::Message& message) {
  Result<ChangeEvent> event = impl_->decode(message);
  if (event.is_ok()) return event;
  return event.status().with_context("topic " + message.topic + " partition " +
                                     std::to_string(message.partition) + " offset " +
                                     std::to_string(message.offset));
}

const SchemaCache& EventDecoder::schema_cache() const noexcept { return impl_->cache; }

}  // namespace cdc::decode
