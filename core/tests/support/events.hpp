// Hand-made cells, schemas and change events for the buffer, Arrow and pipeline tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cdc/decode/change_event.hpp"

namespace cdc::test {

inline types::Cell null_cell() { return types::Cell{}; }
inline types::Cell toast() { return types::Cell{types::Unavailable{}}; }
inline types::Cell int_cell(std::int64_t value) { return types::Cell{value}; }
inline types::Cell text(std::string value) { return types::Cell{std::move(value)}; }
inline types::Cell real(double value) { return types::Cell{value}; }
inline types::Cell boolean(bool value) { return types::Cell{value}; }
inline types::Cell decimal(types::Int128 unscaled) { return types::Cell{unscaled}; }
inline types::Cell interval(std::int32_t months, std::int32_t days, std::int64_t nanos) {
  return types::Cell{types::IntervalValue{months, days, nanos}};
}
inline types::Cell list(types::CellList elements) {
  return types::Cell{std::make_shared<const types::CellList>(std::move(elements))};
}

inline types::ColumnType type_of(types::Kind kind) {
  types::ColumnType type;
  type.kind = kind;
  return type;
}
inline types::ColumnType decimal_type(std::uint8_t precision, std::uint8_t scale) {
  types::ColumnType type = type_of(types::Kind::kDecimal);
  type.precision = precision;
  type.scale = scale;
  return type;
}
inline types::ColumnType list_of(types::ColumnType element) {
  types::ColumnType type = type_of(types::Kind::kList);
  type.element = std::make_shared<const types::ColumnType>(std::move(element));
  return type;
}

inline decode::FieldSpec field(std::string name, types::ColumnType type) {
  decode::FieldSpec spec;
  spec.name = std::move(name);
  spec.type = std::move(type);
  return spec;
}

inline std::shared_ptr<const decode::TableSchema> make_schema(std::vector<decode::FieldSpec> fields,
                                                              std::vector<std::size_t> key_indexes,
                                                              std::uint64_t fingerprint = 1) {
  auto schema = std::make_shared<decode::TableSchema>();
  schema->fields = std::move(fields);
  schema->key_indexes = std::move(key_indexes);
  schema->fingerprint = fingerprint;
  return schema;
}

// users(id BIGINT primary key, name VARCHAR, bio VARCHAR): the usual keyed table.
inline std::shared_ptr<const decode::TableSchema> users_schema(std::uint64_t fingerprint = 1) {
  return make_schema(
      {field("id", type_of(types::Kind::kInt64)), field("name", type_of(types::Kind::kVarchar)),
       field("bio", type_of(types::Kind::kVarchar))},
      {0}, fingerprint);
}

// log(at BIGINT, msg VARCHAR) without a key.
inline std::shared_ptr<const decode::TableSchema> log_schema() {
  return make_schema(
      {field("at", type_of(types::Kind::kInt64)), field("msg", type_of(types::Kind::kVarchar))}, {});
}

struct EventSpec {
  decode::EventKind kind = decode::EventKind::kCreate;
  std::shared_ptr<const decode::TableSchema> schema{};
  types::Row key{};
  types::Row row{};
  types::Row before{};
  std::int64_t offset = 0;
  std::string topic = "dbserver1.public.users";
  std::int32_t partition = 0;
  std::optional<std::int64_t> lsn{};
  std::int64_t ts_ms = 0;
  bool schema_changed = false;
};

inline decode::ChangeEvent make_event(EventSpec spec) {
  decode::ChangeEvent event;
  event.kind = spec.kind;
  event.topic = std::move(spec.topic);
  event.partition = spec.partition;
  event.offset = spec.offset;
  const auto dot = event.topic.find('.');
  const auto last = event.topic.rfind('.');
  event.source_schema = event.topic.substr(dot + 1, last - dot - 1);
  event.source_table = event.topic.substr(last + 1);
  event.schema = std::move(spec.schema);
  event.schema_changed = spec.schema_changed;
  event.key = std::move(spec.key);
  event.row = std::move(spec.row);
  event.before = std::move(spec.before);
  event.lsn = spec.lsn;
  event.source_ts_ms = spec.ts_ms;
  event.bytes = 100;
  return event;
}

// Shorthands for users(id, name, bio).
inline decode::ChangeEvent upsert(std::int64_t id, types::Cell name, types::Cell bio,
                                  decode::EventKind kind = decode::EventKind::kCreate) {
  return make_event({.kind = kind,
                     .schema = users_schema(),
                     .key = {int_cell(id)},
                     .row = {int_cell(id), std::move(name), std::move(bio)}});
}
inline decode::ChangeEvent remove(std::int64_t id) {
  return make_event({.kind = decode::EventKind::kDelete, .schema = users_schema(), .key = {int_cell(id)}});
}
inline decode::ChangeEvent truncate_users() {
  return make_event({.kind = decode::EventKind::kTruncate, .schema = users_schema()});
}

}  // namespace cdc::test
