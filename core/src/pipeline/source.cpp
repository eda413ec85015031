#include "cdc/pipeline/source.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "cdc/decode/event_decoder.hpp"
#include "cdc/kafka/consumer.hpp"
#include "cdc/kafka/fetch_defaults.hpp"
#include "cdc/kafka/producer.hpp"
#include "cdc/pipeline/loaded_snapshot.hpp"
#include "cdc/pipeline/topic_filter.hpp"

namespace cdc::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
using PartitionKey = std::pair<std::string, std::int32_t>;

bool is_consumer_only(const std::string& key) {
  static const std::set<std::string, std::less<>> kKeys = {"group.id",
                                                           "group.instance.id",
                                                           "group.protocol",
                                                           "group.protocol.type",
                                                           "group.remote.assignor",
                                                           "partition.assignment.strategy",
                                                           "session.timeout.ms",
                                                           "heartbeat.interval.ms",
                                                           "max.poll.interval.ms",
                                                           "auto.offset.reset",
                                                           "enable.auto.commit",
                                                           "auto.commit.interval.ms",
                                                           "enable.auto.offset.store",
                                                           "enable.partition.eof",
                                                           "check.crcs",
                                                           "isolation.level",
                                                           "offset.store.method",
                                                           "consume.callback.max.messages"};
  return kKeys.contains(key) || key.starts_with("fetch.") || key.starts_with("queued.");
}

}  // namespace

kafka::ConfigMap common_client_config(const kafka::ConfigMap& config) {
  kafka::ConfigMap common;
  for (const auto& [key, value] : config) {
    if (!is_consumer_only(key)) common.emplace(key, value);
  }
  return common;
}

struct Source::Impl final : RecordSource, DeadLetterSink {
  SourceConfig config;
  TopicFilter filter;
  std::unique_ptr<kafka::Consumer> consumer;
  std::unique_ptr<kafka::Producer> dead_letter_producer;
  decode::EventDecoder decoder;
  Batcher batcher;
  std::map<PartitionKey, std::int64_t> committed;  // DuckDB's next offsets
  std::map<PartitionKey, std::int64_t> fetched;    // after the last record read from Kafka
  std::map<std::string, std::int32_t> topics;      // table topics -> partition count
  std::set<std::string> paused;                    // rewound topics: not read until start()
  std::vector<kafka::TopicPartitionOffset> assigned;
  Clock::time_point next_refresh{};
  bool started = false;
  // end_offsets() runs in other threads: close() must not destroy the consumer's handle under it.
  mutable std::shared_mutex closing;

  explicit Impl(SourceConfig source_config)
      : config(std::move(source_config)),
        filter(config.topic_prefix, config.include_tables, config.exclude_tables),
        batcher([this](const kafka::Message& record) { return decoder.decode(record); }, config.on_error,
                this) {}

  Result<std::vector<kafka::Message>> poll(std::size_t max_records, int timeout_ms) override {
    CDC_ASSIGN_OR_RETURN(std::vector<kafka::Message> records, consumer->poll_batch(max_records, timeout_ms));
    // Defensive: nothing from a rewound topic, nothing read twice across a re-assignment.
    std::erase_if(records, [this](const kafka::Message& record) {
      if (paused.contains(record.topic)) return true;
      auto entry = fetched.find({record.topic, record.partition});
      return entry != fetched.end() && record.offset < entry->second;
    });
    for (const kafka::Message& record : records)
      fetched[{record.topic, record.partition}] = record.offset + 1;
    return records;
  }

  Status send(const kafka::Message& record, const BadRecord& why) override {
    const std::vector<kafka::Header> headers = {{"cdc.error.reason", why.describe()},
                                                {"cdc.source.topic", record.topic},
                                                {"cdc.source.partition", std::to_string(record.partition)},
                                                {"cdc.source.offset", std::to_string(record.offset)}};
    return dead_letter_producer->produce_sync(config.dead_letter_topic, record.key, record.value, headers,
                                              config.dead_letter_timeout_ms);
  }

  [[nodiscard]] std::int64_t position_of(const PartitionKey& partition) const {
    if (auto entry = fetched.find(partition); entry != fetched.end()) return entry->second;
    if (auto entry = committed.find(partition); entry != committed.end()) return entry->second;
    return kafka::kOffsetBeginning;
  }

  Status assign_all() {
    std::vector<kafka::TopicPartitionOffset> positions;
    for (const auto& [topic, count] : topics) {
      if (paused.contains(topic)) continue;
      for (std::int32_t partition = 0; partition < count; ++partition) {
        positions.push_back({topic, partition, position_of({topic, partition})});
      }
    }
    CDC_RETURN_IF_ERROR(consumer->assign(positions));
    assigned = std::move(positions);
    return Status::ok();
  }

  // Finds table topics and partitions not known yet; true when there were some.
  Result<bool> discover() {
    // On the consumer's own handle: no client per refresh. While the brokers are down this is the request
    // that fails (a KafkaError the sink retries), as the consumer's polls do not.
    CDC_ASSIGN_OR_RETURN(std::vector<kafka::TopicInfo> all,
                         consumer->cluster_topics(config.metadata_timeout_ms));
    next_refresh = Clock::now() + std::chrono::milliseconds(config.topic_refresh_ms);
    bool changed = false;
    for (const kafka::TopicInfo& topic : all) {
      if (topic.partition_count <= 0 || !filter.accepts(topic.name)) continue;  // 0: still being created
      std::int32_t& known = topics[topic.name];
      if (topic.partition_count > known) {
        known = topic.partition_count;
        changed = true;
      }
    }
    return changed;
  }
};

Source::Source(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Source::~Source() = default;

Result<std::unique_ptr<Source>> Source::create(SourceConfig config) {
  if (!config.kafka.contains("bootstrap.servers")) {
    return Status::invalid_argument("the Kafka settings need 'bootstrap.servers'");
  }
  if (config.topic_prefix.empty()) return Status::invalid_argument("the Debezium topic prefix is empty");
  if (config.topic_refresh_ms <= 0 || config.quiet_poll_ms < 0 || config.metadata_timeout_ms < 0) {
    return Status::invalid_argument(
        "topic_refresh_ms must be > 0, quiet_poll_ms and metadata_timeout_ms >= 0");
  }
  TopicFilter filter(config.topic_prefix, config.include_tables, config.exclude_tables);
  if (config.on_error == ErrorPolicy::kDeadLetter) {
    if (config.dead_letter_topic.empty()) {
      return Status::invalid_argument("on_error=dead_letter needs a dead-letter topic");
    }
    if (filter.accepts(config.dead_letter_topic)) {
      return Status::invalid_argument(
          "dead-letter topic '" + config.dead_letter_topic + "' looks like a table topic of prefix '" +
          config.topic_prefix + "' and would be read back; choose a name outside <prefix>.<schema>.<table>");
    }
  }
  // An offset that aged out of retention must stop the sink, not silently skip or replay data.
  config.kafka["auto.offset.reset"] = "error";
  kafka::apply_fetch_defaults(config.kafka);

  auto impl = std::make_unique<Impl>(std::move(config));
  CDC_ASSIGN_OR_RETURN(impl->consumer, kafka::Consumer::create(impl->config.kafka));
  if (impl->config.on_error == ErrorPolicy::kDeadLetter) {
    CDC_ASSIGN_OR_RETURN(impl->dead_letter_producer,
                         kafka::Producer::create(common_client_config(impl->config.kafka)));
  }
  return std::unique_ptr<Source>(new Source(std::move(impl)));  // NOLINT(cppcoreguidelines-owning-memory)
}

Status Source::start(const std::vector<kafka::TopicPartitionOffset>& committed,
                     const std::map<std::string, decode::SourcePosition>& applied,
                     const std::map<std::string, std::string>& loaded) {
  Impl& impl = *impl_;
  std::map<std::string, LoadedSnapshot> snapshots;
  for (const auto& [table, text] : loaded) {
    Result<LoadedSnapshot> snapshot = LoadedSnapshot::parse(text);
    if (!snapshot.is_ok())
      return Status::invalid_argument("table " + table + ": " + snapshot.status().message());
    snapshots.emplace(table, std::move(snapshot).value());
  }
  impl.committed.clear();
  for (const kafka::TopicPartitionOffset& position : committed) {
    if (position.offset < 0) {
      return Status::invalid_argument("committed offset " + std::to_string(position.offset) + " of topic '" +
                                      position.topic + "' partition " + std::to_string(position.partition) +
                                      " is negative");
    }
    impl.committed[{position.topic, position.partition}] = position.offset;
  }
  impl.fetched.clear();
  impl.paused.clear();
  impl.batcher.reset(applied, std::move(snapshots));
  CDC_ASSIGN_OR_RETURN(bool changed, impl.discover());
  static_cast<void>(changed);
  CDC_RETURN_IF_ERROR(impl.assign_all());
  impl.started = true;
  return Status::ok();
}

void Source::forget_loaded(const std::string& table) { impl_->batcher.forget_loaded(table); }

Result<Batch> Source::next_batch(std::size_t max_events, std::size_t max_bytes, int max_wait_ms) {
  Impl& impl = *impl_;
  if (!impl.started) return Status::invalid_argument("Source.next_batch() called before start()");
  if (max_events == 0 || max_bytes == 0 || max_wait_ms < 0) {
    return Status::invalid_argument("next_batch needs max_events > 0, max_bytes > 0 and max_wait_ms >= 0");
  }
  if (Clock::now() >= impl.next_refresh) {  // new tables appear by themselves
    CDC_ASSIGN_OR_RETURN(bool changed, impl.discover());
    if (changed) CDC_RETURN_IF_ERROR(impl.assign_all());
  }
  const BatchLimits limits{.max_events = max_events,
                           .max_bytes = max_bytes,
                           .max_wait_ms = max_wait_ms,
                           .quiet_poll_ms = impl.config.quiet_poll_ms};
  CDC_ASSIGN_OR_RETURN(Batch batch, impl.batcher.next_batch(impl, limits));
  if (batch.error && batch.error->table.empty()) {
    batch.error->table = impl.filter.table_of(batch.error->topic).value_or("");
  }
  return batch;
}

Status Source::commit(const std::vector<kafka::TopicPartitionOffset>& offsets) {
  Impl& impl = *impl_;
  for (const kafka::TopicPartitionOffset& position : offsets) {
    impl.committed[{position.topic, position.partition}] = position.offset;
  }
  if (!impl.config.kafka.contains("group.id")) return Status::ok();  // no group to mirror to
  return impl.consumer->commit_async(offsets);  // advisory: never wait for the coordinator
}

Status Source::rewind(const std::vector<std::string>& topics) {
  Impl& impl = *impl_;
  const std::set<std::string> rewound(topics.begin(), topics.end());
  for (const std::string& topic : rewound) {
    impl.paused.insert(topic);
    std::erase_if(impl.fetched, [&](const auto& entry) { return entry.first.first == topic; });
  }
  impl.batcher.drop_topics(rewound);
  return impl.assign_all();
}

std::vector<kafka::TopicPartitionOffset> Source::assignment() const { return impl_->assigned; }

Result<std::vector<std::int64_t>> Source::end_offsets(const std::string& topic,
                                                      const std::vector<std::int32_t>& partitions,
                                                      int timeout_ms) const {
  const std::shared_lock lock(impl_->closing);
  return impl_->consumer->end_offsets(topic, partitions, timeout_ms);
}

Status Source::close() {
  const std::unique_lock lock(impl_->closing);
  impl_->dead_letter_producer.reset();
  return impl_->consumer->close();
}

}  // namespace cdc::pipeline
