// End offsets by rd_kafka_offsets_for_times() with the "latest" timestamp (-1), not by
// rd_kafka_query_watermark_offsets(): before librdkafka 2.3 the latter ignores its timeout and blocks until
// the partition's leader is back when that leader is down (librdkafka issue #2588), which on a long-lived
// handle whose metadata knows the leader is exactly what an outage looks like. offsets_for_times waits at
// most its timeout and asks every leader once for all its partitions.
#include <string>
#include <vector>

#include "convert.hpp"
#include "errors.hpp"
#include "requests.hpp"

namespace cdc::kafka {

Result<std::vector<std::int64_t>> request_end_offsets(rd_kafka_t& client, std::string_view brokers,
                                                      const std::string& topic,
                                                      const std::vector<std::int32_t>& partitions,
                                                      int timeout_ms) {
  if (timeout_ms < 0) return Status::invalid_argument("end offset timeout must be >= 0 ms");
  if (partitions.empty()) return std::vector<std::int64_t>{};
  std::vector<TopicPartitionOffset> latest;
  latest.reserve(partitions.size());
  for (std::int32_t partition : partitions) latest.push_back({topic, partition, kOffsetEnd});  // a timestamp
  CDC_ASSIGN_OR_RETURN(PartitionListPtr list, to_partition_list(latest));
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(&client, list.get(), timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_status(err, "end offsets of topic '" + topic + "' from '" + std::string(brokers) +
                                 "' within " + std::to_string(timeout_ms) + " ms");
  }
  CDC_RETURN_IF_ERROR(first_partition_error(*list, "end offset"));
  std::vector<std::int64_t> ends;
  ends.reserve(partitions.size());
  for (int i = 0; i < list->cnt; ++i) ends.push_back(list->elems[i].offset);
  return ends;
}

}  // namespace cdc::kafka
