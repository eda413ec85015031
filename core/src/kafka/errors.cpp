#include "errors.hpp"

#include <array>
#include <string>

namespace cdc::kafka {

bool is_permanent_consumer_error(rd_kafka_resp_err_t err) noexcept {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
      return true;
    default:
      return false;
  }
}

Status kafka_status(rd_kafka_resp_err_t err, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += rd_kafka_err2str(err);
  message += " (";
  message += rd_kafka_err2name(err);
  message += ")";
  return Status::kafka_error(std::move(message));
}

namespace {

std::string position_of(const rd_kafka_message_t& message) {
  std::string where;
  if (message.rkt != nullptr) where += "topic '" + std::string(rd_kafka_topic_name(message.rkt)) + "'";
  if (message.partition >= 0) where += (where.empty() ? "" : ", ") + std::string("partition ");
  if (message.partition >= 0) where += std::to_string(message.partition);
  if (message.offset >= 0) where += (where.empty() ? "" : ", ") + std::string("offset ");
  if (message.offset >= 0) where += std::to_string(message.offset);
  return where;
}

}  // namespace

Status message_error(rd_kafka_t& client, const rd_kafka_message_t& message) {
  rd_kafka_resp_err_t err = message.err;
  std::string reason = rd_kafka_message_errstr(&message);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    std::array<char, 512> fatal_reason{};
    err = rd_kafka_fatal_error(&client, fatal_reason.data(), fatal_reason.size());
    reason = std::string("fatal: ") + fatal_reason.data();
  }
  std::string where = position_of(message);
  std::string text = "Kafka consumer error";
  if (!where.empty()) text += " on " + where;
  text += ": " + reason + " (" + rd_kafka_err2name(err) + ")";
  return Status::kafka_error(std::move(text));
}

}  // namespace cdc::kafka
