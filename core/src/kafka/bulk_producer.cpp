#include "cdc/kafka/bulk_producer.hpp"

#include <array>

#include "conf_builder.hpp"
#include "errors.hpp"

namespace cdc::kafka {

// Counts written by the delivery-report callback (on the thread that calls rd_kafka_poll/flush: ours).
struct BulkProducer::Reports {
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void BulkProducer::HandleDeleter::operator()(rd_kafka_s* handle) const noexcept { rd_kafka_destroy(handle); }

BulkProducer::BulkProducer() : reports_(std::make_unique<Reports>()) {}

BulkProducer::~BulkProducer() = default;

Result<std::unique_ptr<BulkProducer>> BulkProducer::create(const ConfigMap& config) {
  CDC_ASSIGN_OR_RETURN(ConfPtr conf, build_conf(config));
  std::unique_ptr<BulkProducer> producer(
      new BulkProducer());  // NOLINT(cppcoreguidelines-owning-memory): private ctor
  rd_kafka_conf_set_opaque(conf.get(), producer->reports_.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* report, void* opaque) {
    auto* reports = static_cast<Reports*>(opaque);
    if (report->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++reports->delivered;
    } else {
      if (reports->failed++ == 0) reports->first_error = report->err;
    }
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

Status BulkProducer::produce(const std::string& topic, std::int32_t partition, const char* key,
                             std::size_t key_size, const char* value, std::size_t value_size) {
  // librdkafka's macros cast their arguments without parentheses: pass plain variables.
  const void* key_data = key;
  void* value_data = const_cast<char*>(value);  // copied (F_COPY), never written
  for (;;) {
    rd_kafka_resp_err_t err =
        rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_VALUE(value_data, value_size),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return kafka_status(err, "queueing a record for '" + topic + "'");
    rd_kafka_poll(handle_.get(), 10);  // make room: serve delivery reports
  }
  rd_kafka_poll(handle_.get(), 0);
  if (reports_->failed > 0) return kafka_status(reports_->first_error, "writing records to '" + topic + "'");
  return Status::ok();
}

Status BulkProducer::flush(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(handle_.get(), timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_status(err, "flushing queued records");
  if (reports_->failed > 0) return kafka_status(reports_->first_error, "writing records");
  return Status::ok();
}

std::int64_t BulkProducer::delivered() const { return reports_->delivered; }

}  // namespace cdc::kafka
