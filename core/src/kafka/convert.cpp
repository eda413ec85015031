#include "convert.hpp"

#include <limits>
#include <string>

#include "errors.hpp"

namespace cdc::kafka {

static_assert(kOffsetBeginning == RD_KAFKA_OFFSET_BEGINNING && kOffsetEnd == RD_KAFKA_OFFSET_END);

namespace {

std::optional<std::string> copy_bytes(const void* data, std::size_t size) {
  if (data == nullptr) return std::nullopt;
  return std::string(static_cast<const char*>(data), size);
}

}  // namespace

Message to_message(const rd_kafka_message_t& message) {
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  Message out{
      .topic = rd_kafka_topic_name(message.rkt),
      .partition = message.partition,
      .offset = message.offset,
      .key = copy_bytes(message.key, message.key_len),
      .value = copy_bytes(message.payload, message.len),
      .timestamp_ms = rd_kafka_message_timestamp(&message, &timestamp_type),
      .headers = {},
  };
  rd_kafka_headers_t* headers = nullptr;  // owned by the message
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      out.headers.emplace_back(
          name, value == nullptr ? std::string() : std::string(static_cast<const char*>(value), size));
    }
  }
  return out;
}

Result<PartitionListPtr> to_partition_list(const std::vector<TopicPartitionOffset>& positions) {
  if (positions.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Status::invalid_argument("too many partitions: " + std::to_string(positions.size()));
  }
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const TopicPartitionOffset& position : positions) {
    if (position.topic.empty() || position.partition < 0) {
      return Status::invalid_argument("invalid partition: topic '" + position.topic + "', partition " +
                                      std::to_string(position.partition));
    }
    rd_kafka_topic_partition_t* entry =
        rd_kafka_topic_partition_list_add(list.get(), position.topic.c_str(), position.partition);
    entry->offset = position.offset;
  }
  return list;
}

Status first_partition_error(const rd_kafka_topic_partition_list_t& list, std::string_view what) {
  for (int i = 0; i < list.cnt; ++i) {
    const rd_kafka_topic_partition_t& entry = list.elems[i];
    if (entry.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    return kafka_status(entry.err, std::string(what) + " for topic '" + entry.topic + "', partition " +
                                       std::to_string(entry.partition) + ", offset " +
                                       std::to_string(entry.offset));
  }
  return Status::ok();
}

}  // namespace cdc::kafka
