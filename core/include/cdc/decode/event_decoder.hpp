// Kafka record of a Debezium Postgres table topic -> ChangeEvent. Records are JsonConverter output with
// schemas.enable=true. Each distinct schema is parsed once (SchemaCache); per event only the payload is
// parsed, with parsers and buffers reused across calls. Not thread-safe: use one decoder per thread.
//
// Cases: a null value is a tombstone (its key decoded when the topic's schema is known); op c/u/r give
// the after-image, d the before-image with the key from the Kafka key, t a truncate, m a skip; heartbeat
// and transaction-metadata records (no op) are skips. Errors name the topic, partition and offset, and
// the table and column when known.
#pragma once

#include <memory>

#include "cdc/decode/change_event.hpp"
#include "cdc/decode/schema_cache.hpp"
#include "cdc/kafka/message.hpp"
#include "cdc/status.hpp"

namespace cdc::decode {

class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(EventDecoder&&) noexcept;
  EventDecoder& operator=(EventDecoder&&) noexcept;
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  Result<ChangeEvent> decode(const kafka::Message& message);

  [[nodiscard]] const SchemaCache& schema_cache() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc::decode
