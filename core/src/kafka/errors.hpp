// Turning librdkafka error codes into Status values that say what failed and where (private to src/kafka).
#pragma once

#include <string_view>

#include "cdc/status.hpp"
#include "rdkafka_ptr.hpp"

namespace cdc::kafka {

// Errors a consumer cannot recover from by waiting: librdkafka reports them once and keeps running, so
// poll_batch must surface them. Everything else (broker down, coordinator moving, ...) librdkafka retries.
bool is_permanent_consumer_error(rd_kafka_resp_err_t err) noexcept;

// "<what>: <librdkafka message> (<ERR_NAME>)" as a KafkaError.
Status kafka_status(rd_kafka_resp_err_t err, std::string_view what);

// The error carried by a consumed record, naming topic, partition and offset when librdkafka gives them;
// for RD_KAFKA_RESP_ERR__FATAL it fetches the underlying fatal error from `client`.
Status message_error(rd_kafka_t& client, const rd_kafka_message_t& message);

}  // namespace cdc::kafka
