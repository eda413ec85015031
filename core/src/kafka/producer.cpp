#include "cdc/kafka/producer.hpp"

#include <array>
#include <chrono>

#include "conf_builder.hpp"
#include "errors.hpp"

namespace cdc::kafka {

// The outcome of the one record in flight, written by the delivery-report callback.
struct Producer::Delivery {
  std::uintptr_t sequence = 0;  // which record the callback reports on (stale reports are ignored)
  bool done = false;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void Producer::HandleDeleter::operator()(rd_kafka_s* handle) const noexcept { rd_kafka_destroy(handle); }

Producer::Producer() : delivery_(std::make_unique<Delivery>()) {}

Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::create(const ConfigMap& config) {
  CDC_ASSIGN_OR_RETURN(ConfPtr conf, build_conf(config));
  std::unique_ptr<Producer> producer(
      new Producer());  // NOLINT(cppcoreguidelines-owning-memory): private ctor
  rd_kafka_conf_set_opaque(conf.get(), producer->delivery_.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* report, void* opaque) {
    auto* delivery = static_cast<Delivery*>(opaque);
    if (reinterpret_cast<std::uintptr_t>(report->_private) != delivery->sequence) return;  // a stale report
    delivery->done = true;
    delivery->error = report->err;
  });
  std::array<char, 512> reason{};
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size());
  if (handle == nullptr) {
    return Status::invalid_argument(std::string("cannot create Kafka producer: ") + reason.data());
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership of the conf on success
  producer->handle_.reset(handle);
  return producer;
}

Status Producer::produce_sync(const std::string& topic, const std::optional<std::string>& key,
                              const std::optional<std::string>& value, const std::vector<Header>& headers,
                              int timeout_ms) {
  const std::string what = "writing a record to Kafka topic '" + topic + "'";
  rd_kafka_headers_t* record_headers = rd_kafka_headers_new(headers.size());
  for (const Header& header : headers) {
    rd_kafka_header_add(record_headers, header.name.data(), static_cast<ssize_t>(header.name.size()),
                        header.value.data(), static_cast<ssize_t>(header.value.size()));
  }
  Delivery& delivery = *delivery_;
  delivery = Delivery{.sequence = delivery.sequence + 1, .done = false, .error = RD_KAFKA_RESP_ERR_NO_ERROR};
  // librdkafka's macros cast their arguments without parentheses: pass plain variables.
  const void* key_data = key ? key->data() : nullptr;
  const std::size_t key_size = key ? key->size() : 0;
  void* value_data = value ? const_cast<char*>(value->data()) : nullptr;  // copied (F_COPY), never written
  const std::size_t value_size = value ? value->size() : 0;
  rd_kafka_resp_err_t err =
      rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key_data, key_size),
                        RD_KAFKA_V_VALUE(value_data, value_size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_HEADERS(record_headers),
                        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(delivery.sequence)), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(record_headers);  // only freed by librdkafka when producev succeeds
    return kafka_status(err, what);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!delivery.done && std::chrono::steady_clock::now() < deadline) rd_kafka_poll(handle_.get(), 50);
  if (!delivery.done) {
    // Withdraw it, so a late delivery cannot duplicate a record the caller treats as failed.
    rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(handle_.get(), 0);
    return kafka_status(RD_KAFKA_RESP_ERR__TIMED_OUT, what);
  }
  if (delivery.error != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(delivery.error, what);
  return Status::ok();
}

}  // namespace cdc::kafka
