#include "kafka_bindings.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cdc/kafka/consumer.hpp"
#include "cdc/kafka/library.hpp"
#include "cdc/kafka/metadata.hpp"
#include "errors.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

namespace {

using PositionTuple = std::tuple<std::string, std::int32_t, std::int64_t>;

std::vector<kafka::TopicPartitionOffset> to_positions(const std::vector<PositionTuple>& tuples) {
  std::vector<kafka::TopicPartitionOffset> positions;
  positions.reserve(tuples.size());
  for (const auto& [topic, partition, offset] : tuples) positions.push_back({topic, partition, offset});
  return positions;
}

nb::object optional_bytes(const std::optional<std::string>& data) {
  if (!data) return nb::none();
  return nb::bytes(data->data(), data->size());
}

// Serialises calls from Python threads and releases the GIL while librdkafka may block. The GIL is
// released before taking the mutex, so a thread waiting for the mutex never holds the GIL.
class PyConsumer {
 public:
  explicit PyConsumer(const kafka::ConfigMap& config) : consumer_(unwrap(kafka::Consumer::create(config))) {}

  template <typename Call>
  auto run(Call&& call) {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return std::forward<Call>(call)(*consumer_);
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<kafka::Consumer> consumer_;
};

void bind_message(nb::module_& module) {
  nb::class_<kafka::Message>(module, "Message", "One Kafka record; value None is a tombstone.")
      .def_ro("topic", &kafka::Message::topic)
      .def_ro("partition", &kafka::Message::partition)
      .def_ro("offset", &kafka::Message::offset)
      .def_prop_ro(
          "key", [](const kafka::Message& message) { return optional_bytes(message.key); },
          nb::for_getter(nb::sig("def key(self, /) -> bytes | None")))
      .def_prop_ro(
          "value", [](const kafka::Message& message) { return optional_bytes(message.value); },
          nb::for_getter(nb::sig("def value(self, /) -> bytes | None")))
      .def_ro("timestamp_ms", &kafka::Message::timestamp_ms)
      .def_prop_ro(
          "headers",
          [](const kafka::Message& message) {
            nb::list out;
            for (const auto& [name, value] : message.headers) {
              out.append(nb::make_tuple(name, nb::bytes(value.data(), value.size())));
            }
            return out;
          },
          nb::for_getter(nb::sig("def headers(self, /) -> list[tuple[str, bytes]]")))
      .def("__repr__", [](const kafka::Message& message) {
        return "Message(topic='" + message.topic + "', partition=" + std::to_string(message.partition) +
               ", offset=" + std::to_string(message.offset) + ")";
      });
}

void bind_consumer(nb::module_& module) {
  nb::class_<PyConsumer>(module, "Consumer", "Kafka consumer whose offsets are committed only on request.")
      .def(nb::init<const kafka::ConfigMap&>(), nb::arg("config"))
      .def(
          "subscribe",
          [](PyConsumer& self, const std::vector<std::string>& topics) {
            throw_if_error(self.run([&](kafka::Consumer& consumer) { return consumer.subscribe(topics); }));
          },
          nb::arg("topics"))
      .def(
          "assign",
          [](PyConsumer& self, const std::vector<PositionTuple>& partitions) {
            auto positions = to_positions(partitions);
            throw_if_error(self.run([&](kafka::Consumer& consumer) { return consumer.assign(positions); }));
          },
          nb::arg("partitions"))
      .def(
          "poll_batch",
          [](PyConsumer& self, std::size_t max_messages, int timeout_ms) {
            return unwrap(self.run(
                [&](kafka::Consumer& consumer) { return consumer.poll_batch(max_messages, timeout_ms); }));
          },
          nb::arg("max_messages"), nb::arg("timeout_ms"))
      .def(
          "commit",
          [](PyConsumer& self, const std::vector<PositionTuple>& offsets) {
            auto positions = to_positions(offsets);
            throw_if_error(self.run([&](kafka::Consumer& consumer) { return consumer.commit(positions); }));
          },
          nb::arg("offsets"))
      .def("close",
           [](PyConsumer& self) {
             throw_if_error(self.run([](kafka::Consumer& consumer) { return consumer.close(); }));
           })
      .def(
          "__enter__", [](PyConsumer& self) -> PyConsumer& { return self; }, nb::rv_policy::reference)
      .def(
          "__exit__",
          [](PyConsumer& self, nb::args) {
            throw_if_error(self.run([](kafka::Consumer& consumer) { return consumer.close(); }));
          },
          nb::sig("def __exit__(self, *args: object) -> None"));
}

}  // namespace

void bind_kafka(nb::module_& module) {
  module.attr("OFFSET_BEGINNING") = kafka::kOffsetBeginning;
  module.attr("OFFSET_END") = kafka::kOffsetEnd;
  bind_message(module);
  bind_consumer(module);
  module.def(
      "librdkafka_version", &kafka::library_version,
      "The librdkafka this extension runs with, e.g. '2.16.0' (the confluent-kafka wheel's by default).");
  module.def(
      "cluster_metadata",
      [](const std::string& bootstrap_servers, int timeout_ms, const kafka::ConfigMap& config) {
        Result<std::vector<kafka::TopicInfo>> result = [&] {
          nb::gil_scoped_release release;
          return kafka::cluster_metadata(bootstrap_servers, timeout_ms, config);
        }();
        std::vector<std::tuple<std::string, std::int32_t>> topics;
        for (kafka::TopicInfo& topic : unwrap(std::move(result))) {
          topics.emplace_back(std::move(topic.name), topic.partition_count);
        }
        return topics;
      },
      nb::arg("bootstrap_servers"), nb::arg("timeout_ms"), nb::arg("config") = kafka::ConfigMap{},
      "Topics and partition counts of the cluster; raises KafkaError if no broker answers in time.");
}

}  // namespace cdc::bindings
