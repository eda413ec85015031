// Plain values that cross the Kafka boundary: one consumed record, and a (topic, partition, offset) position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cdc::kafka {

// One Kafka record, copied out of librdkafka so it outlives the poll that returned it.
struct Message {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: the record has no key
  std::optional<std::string> value;  // nullopt: a tombstone (Debezium sends one after each delete)
  std::int64_t timestamp_ms = -1;    // -1 when the broker gave no timestamp
  // (name, value) in record order; empty for Debezium's records, set on the dead-letter topic's.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Logical offsets accepted by assign() (librdkafka's RD_KAFKA_OFFSET_BEGINNING / _END).
inline constexpr std::int64_t kOffsetBeginning = -2;  // the oldest record still in the partition
inline constexpr std::int64_t kOffsetEnd = -1;        // only records produced after the assignment

// A position in a partition. For assign() it is the offset to read next; for commit() it is the NEXT
// offset to read, i.e. the offset of the last applied record + 1 (see next_offset()).
struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;

  friend bool operator==(const TopicPartitionOffset&, const TopicPartitionOffset&) = default;
};

// The offset to commit once `message` has been applied: Kafka offsets name the next record to read.
inline TopicPartitionOffset next_offset(const Message& message) {
  return TopicPartitionOffset{message.topic, message.partition, message.offset + 1};
}

}  // namespace cdc::kafka
