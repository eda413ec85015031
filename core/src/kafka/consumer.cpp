#include "cdc/kafka/consumer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <utility>

#include "conf_builder.hpp"
#include "convert.hpp"
#include "errors.hpp"
#include "requests.hpp"

namespace cdc::kafka {

namespace {

using Clock = std::chrono::steady_clock;

// Upper bound for the up-front reservation, so a huge max_messages does not allocate before data arrives.
constexpr std::size_t kMaxReserve = 4096;

int milliseconds_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<decltype(left)>(left, 0));
}

}  // namespace

void Consumer::HandleDeleter::operator()(rd_kafka_s* handle) const noexcept {
  rd_kafka_destroy(handle);  // also leaves the group if close() was not called
}

Result<std::unique_ptr<Consumer>> Consumer::create(const ConfigMap& config) {
  CDC_ASSIGN_OR_RETURN(ConfPtr conf, build_conf(config));
  // The truth about offsets is DuckDB's _cdc.offsets, written in the same transaction as the data; Kafka
  // must never move the committed or stored position on its own, whatever the caller configured.
  CDC_RETURN_IF_ERROR(set_property(*conf, "enable.auto.commit", "false"));
  CDC_RETURN_IF_ERROR(set_property(*conf, "enable.auto.offset.store", "false"));

  std::array<char, 512> reason{};
  Handle handle(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), reason.data(), reason.size()));
  if (handle == nullptr) {
    return Status::invalid_argument(std::string("cannot create Kafka consumer: ") + reason.data());
  }
  static_cast<void>(conf.release());         // rd_kafka_new took ownership of the conf on success
  rd_kafka_poll_set_consumer(handle.get());  // one queue: records, errors and rebalances via consumer_poll
  return std::make_unique<Consumer>(Token{}, std::move(handle));
}

Consumer::~Consumer() = default;

Status Consumer::check_open(const char* operation) const {
  if (handle_ != nullptr) return Status::ok();
  return Status::kafka_error(std::string("Kafka consumer is closed; cannot ") + operation);
}

Result<std::string> Consumer::effective_setting(const std::string& key) const {
  CDC_RETURN_IF_ERROR(check_open("read settings"));
  std::array<char, 1024> value{};
  std::size_t size = value.size();
  if (rd_kafka_conf_get(rd_kafka_conf(handle_.get()), key.c_str(), value.data(), &size) != RD_KAFKA_CONF_OK) {
    return Status::invalid_argument("unknown Kafka setting '" + key + "'");
  }
  return std::string(value.data());
}

Status Consumer::subscribe(const std::vector<std::string>& topics) {
  CDC_RETURN_IF_ERROR(check_open("subscribe"));
  if (topics.empty()) return Status::invalid_argument("subscribe needs at least one topic or ^regex");
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(handle_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(err, "subscribing to Kafka topics");
  return Status::ok();
}

Status Consumer::assign(const std::vector<TopicPartitionOffset>& partitions) {
  CDC_RETURN_IF_ERROR(check_open("assign"));
  CDC_ASSIGN_OR_RETURN(PartitionListPtr list, to_partition_list(partitions));
  rd_kafka_resp_err_t err = rd_kafka_assign(handle_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(err, "assigning Kafka partitions");
  return Status::ok();
}

Result<std::vector<Message>> Consumer::poll_batch(std::size_t max_messages, int timeout_ms) {
  CDC_RETURN_IF_ERROR(check_open("poll"));
  if (timeout_ms < 0) return Status::invalid_argument("poll timeout must be >= 0 ms");
  if (!pending_error_.is_ok()) return std::exchange(pending_error_, Status::ok());

  std::vector<Message> batch;
  batch.reserve(std::min(max_messages, kMaxReserve));
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (batch.size() < max_messages) {
    // After the deadline, a zero timeout still drains records librdkafka has already fetched.
    const int wait_ms = milliseconds_until(deadline);
    MessagePtr message(rd_kafka_consumer_poll(handle_.get(), wait_ms));
    if (message == nullptr) {
      if (wait_ms == 0) break;
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      batch.push_back(to_message(*message));
    } else if (is_permanent_consumer_error(message->err)) {
      Status error = message_error(*handle_, *message);
      if (batch.empty()) return error;
      pending_error_ = std::move(error);
      break;
    }
    // Any other error (partition EOF, broker down, coordinator moving) is retried and logged by librdkafka.
  }
  return batch;
}

Result<std::vector<TopicInfo>> Consumer::cluster_topics(int timeout_ms) const {
  CDC_RETURN_IF_ERROR(check_open("ask for cluster metadata"));
  CDC_ASSIGN_OR_RETURN(std::string brokers, effective_setting("bootstrap.servers"));
  return request_topics(*handle_, brokers, timeout_ms);
}

Result<std::vector<std::int64_t>> Consumer::end_offsets(const std::string& topic,
                                                        const std::vector<std::int32_t>& partitions,
                                                        int timeout_ms) const {
  CDC_RETURN_IF_ERROR(check_open("ask for end offsets"));
  CDC_ASSIGN_OR_RETURN(std::string brokers, effective_setting("bootstrap.servers"));
  return request_end_offsets(*handle_, brokers, topic, partitions, timeout_ms);
}

Status Consumer::commit(const std::vector<TopicPartitionOffset>& offsets) {
  CDC_RETURN_IF_ERROR(check_open("commit"));
  if (offsets.empty()) return Status::ok();  // a null list would mean "the current assignment" to librdkafka
  CDC_ASSIGN_OR_RETURN(PartitionListPtr list, to_partition_list(offsets));
  rd_kafka_resp_err_t err = rd_kafka_commit(handle_.get(), list.get(), /*async=*/0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(err, "committing Kafka offsets");
  return first_partition_error(*list, "committing Kafka offset");
}

Status Consumer::commit_async(const std::vector<TopicPartitionOffset>& offsets) {
  CDC_RETURN_IF_ERROR(check_open("commit"));
  if (offsets.empty()) return Status::ok();
  CDC_ASSIGN_OR_RETURN(PartitionListPtr list, to_partition_list(offsets));
  rd_kafka_resp_err_t err = rd_kafka_commit(handle_.get(), list.get(), /*async=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(err, "queueing a Kafka offset commit");
  return Status::ok();
}

Status Consumer::close() {
  if (handle_ == nullptr) return Status::ok();
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(handle_.get());
  handle_.reset();
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(err, "closing Kafka consumer");
  return Status::ok();
}

}  // namespace cdc::kafka
