#include "source_bindings.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "batch_bindings.hpp"
#include "cdc/pipeline/replay.hpp"
#include "cdc/pipeline/source.hpp"
#include "errors.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

namespace {

using PositionTuple = std::tuple<std::string, std::int32_t, std::int64_t>;
using AppliedTuple = std::tuple<std::string, std::int64_t, std::int64_t>;  // table, commit LSN, LSN

std::vector<kafka::TopicPartitionOffset> to_positions(const std::vector<PositionTuple>& tuples) {
  std::vector<kafka::TopicPartitionOffset> positions;
  positions.reserve(tuples.size());
  for (const auto& [topic, partition, offset] : tuples) positions.push_back({topic, partition, offset});
  return positions;
}

std::vector<PositionTuple> to_tuples(const std::vector<kafka::TopicPartitionOffset>& positions) {
  std::vector<PositionTuple> tuples;
  tuples.reserve(positions.size());
  for (const auto& position : positions)
    tuples.emplace_back(position.topic, position.partition, position.offset);
  return tuples;
}

pipeline::ErrorPolicy parse_policy(const std::string& on_error) {
  if (on_error == "stop") return pipeline::ErrorPolicy::kStop;
  if (on_error == "dead_letter") return pipeline::ErrorPolicy::kDeadLetter;
  throw nb::value_error(("on_error must be 'stop' or 'dead_letter', not '" + on_error + "'").c_str());
}

// Serialises calls from Python threads and releases the GIL while Kafka may block (as PyConsumer does).
class PySource {
 public:
  PySource(const kafka::ConfigMap& config, const std::string& topic_prefix,
           const std::vector<std::string>& include_tables, const std::string& on_error,
           const std::string& dead_letter_topic, int topic_refresh_ms,
           const std::vector<std::string>& exclude_tables) {
    pipeline::SourceConfig source_config;
    source_config.kafka = config;
    source_config.topic_prefix = topic_prefix;
    source_config.include_tables = std::set<std::string>(include_tables.begin(), include_tables.end());
    source_config.on_error = parse_policy(on_error);
    source_config.dead_letter_topic = dead_letter_topic;
    source_config.topic_refresh_ms = topic_refresh_ms;
    source_config.exclude_tables = std::set<std::string>(exclude_tables.begin(), exclude_tables.end());
    source_ = unwrap(pipeline::Source::create(std::move(source_config)));
  }

  template <typename Call>
  auto run(Call&& call) {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return std::forward<Call>(call)(*source_);
  }

  // Source::end_offsets() is thread-safe on its own, so the lag poller's thread does not queue behind a
  // next_batch() that waits up to max_wait_ms (or a metadata timeout) holding the mutex.
  Result<std::vector<std::int64_t>> end_offsets(const std::string& topic,
                                                const std::vector<std::int32_t>& partitions, int timeout_ms) {
    nb::gil_scoped_release release;
    return source_->end_offsets(topic, partitions, timeout_ms);
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<pipeline::Source> source_;
};

void bind_source_class(nb::module_& module) {
  nb::class_<PySource>(module, "Source", "Debezium table topics -> coalesced per-table Arrow batches.")
      .def(nb::init<const kafka::ConfigMap&, const std::string&, const std::vector<std::string>&,
                    const std::string&, const std::string&, int, const std::vector<std::string>&>(),
           nb::arg("config"), nb::arg("topic_prefix"), nb::arg("include_tables"),
           // No defaults: the Python wrapper passes every value from the settings model, where they live.
           nb::arg("on_error"), nb::arg("dead_letter_topic"), nb::arg("topic_refresh_ms"),
           nb::arg("exclude_tables"))
      .def(
          "start",
          [](PySource& self, const std::vector<PositionTuple>& committed,
             const std::vector<AppliedTuple>& applied, const std::map<std::string, std::string>& loaded) {
            auto positions = to_positions(committed);
            std::map<std::string, decode::SourcePosition> marks;
            for (const auto& [table, commit_lsn, lsn] : applied)
              marks[table] = decode::SourcePosition{commit_lsn, lsn};
            throw_if_error(
                self.run([&](pipeline::Source& source) { return source.start(positions, marks, loaded); }));
          },
          nb::arg("committed"), nb::arg("applied") = std::vector<AppliedTuple>{},
          nb::arg("loaded") = std::map<std::string, std::string>{},
          "Assign every partition at `committed`; `applied`: (schema.table, commit LSN, LSN) per table; "
          "`loaded`: schema.table -> pg_current_snapshot() text of a table loaded straight from PostgreSQL "
          "(its streaming events of transactions that snapshot saw are dropped as duplicates).")
      .def(
          "forget_loaded",
          [](PySource& self, const std::string& table) {
            throw_if_error(self.run([&](pipeline::Source& source) {
              source.forget_loaded(table);
              return Status::ok();
            }));
          },
          nb::arg("table"), "Stop dropping the loaded snapshot's transactions of `table` (schema.table).")
      .def(
          "next_batch",
          [](PySource& self, std::size_t max_events, std::size_t max_bytes, int max_wait_ms) {
            return to_python(unwrap(self.run([&](pipeline::Source& source) {
              return source.next_batch(max_events, max_bytes, max_wait_ms);
            })));
          },
          nb::arg("max_events"), nb::arg("max_bytes"), nb::arg("max_wait_ms"))
      .def(
          "commit",
          [](PySource& self, const std::vector<PositionTuple>& offsets) {
            auto positions = to_positions(offsets);
            throw_if_error(self.run([&](pipeline::Source& source) { return source.commit(positions); }));
          },
          nb::arg("offsets"))
      .def(
          "rewind",
          [](PySource& self, const std::vector<std::string>& topics) {
            throw_if_error(self.run([&](pipeline::Source& source) { return source.rewind(topics); }));
          },
          nb::arg("topics"))
      .def(
          "end_offsets",
          [](PySource& self, const std::string& topic, const std::vector<std::int32_t>& partitions,
             int timeout_ms) { return unwrap(self.end_offsets(topic, partitions, timeout_ms)); },
          nb::arg("topic"), nb::arg("partitions"), nb::arg("timeout_ms"),
          "End offsets of these partitions of a topic (same order), asked on the consumer's own connections "
          "within timeout_ms; callable from any thread beside next_batch(). Raises KafkaError.")
      .def("assignment",
           [](PySource& self) {
             return to_tuples(self.run([](pipeline::Source& source) { return source.assignment(); }));
           })
      .def("close", [](PySource& self) {
        throw_if_error(self.run([](pipeline::Source& source) { return source.close(); }));
      });
}

kafka::Message to_message(const nb::handle& item) {
  auto [topic, partition, offset, key, value] =
      nb::cast<std::tuple<std::string, std::int32_t, std::int64_t, nb::object, nb::object>>(item);
  kafka::Message message;
  message.topic = std::move(topic);
  message.partition = partition;
  message.offset = offset;
  if (!key.is_none()) message.key = std::string(nb::cast<nb::bytes>(key).c_str(), nb::len(key));
  if (!value.is_none()) message.value = std::string(nb::cast<nb::bytes>(value).c_str(), nb::len(value));
  return message;
}

}  // namespace

void bind_source(nb::module_& module) {
  bind_source_class(module);
  module.def(
      "batches_from_records",
      [](const nb::list& records, std::size_t max_events) {
        std::vector<kafka::Message> messages;
        messages.reserve(nb::len(records));
        for (nb::handle item : records) messages.push_back(to_message(item));
        Result<std::vector<pipeline::Batch>> batches = [&] {
          nb::gil_scoped_release release;
          return pipeline::batches_from_records(std::move(messages), max_events);
        }();
        std::vector<PyBatch> out;
        for (pipeline::Batch& batch : unwrap(std::move(batches))) out.push_back(to_python(std::move(batch)));
        return out;
      },
      nb::arg("records"), nb::arg("max_events") = 100'000,
      nb::sig("def batches_from_records(records: list[tuple[str, int, int, bytes | None, bytes | None]], "
              "max_events: int = 100000) -> list[Batch]"),
      "Decode and batch (topic, partition, offset, key, value) records as Source.next_batch would, without "
      "Kafka.");
}

}  // namespace cdc::bindings
