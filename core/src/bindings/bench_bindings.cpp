#include "bench_bindings.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>

#include <cstdint>
#include <memory>
#include <string>

#include "cdc/kafka/bulk_producer.hpp"
#include "errors.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

namespace {

// A bytes object's buffer, or (nullptr, 0) for None.
std::pair<const char*, std::size_t> view(const nb::handle& object) {
  if (object.is_none()) return {nullptr, 0};
  auto data = nb::cast<nb::bytes>(object);
  return {data.c_str(), data.size()};
}

class PyBulkProducer {
 public:
  explicit PyBulkProducer(const kafka::ConfigMap& config)
      : producer_(unwrap(kafka::BulkProducer::create(config))) {}

  // records: a list of (key, value) pairs, each bytes or None. Runs with the GIL held: the loop only reads
  // the bytes' buffers and hands copies to librdkafka, whose own threads do the I/O.
  void produce_many(const std::string& topic, std::int32_t partition, const nb::list& records) {
    for (nb::handle record : records) {
      auto pair = nb::borrow<nb::tuple>(record);
      auto [key, key_size] = view(pair[0]);
      auto [value, value_size] = view(pair[1]);
      throw_if_error(producer_->produce(topic, partition, key, key_size, value, value_size));
    }
  }

  void flush(int timeout_ms) {
    nb::gil_scoped_release release;
    throw_if_error(producer_->flush(timeout_ms));
  }

  std::int64_t delivered() const { return producer_->delivered(); }

 private:
  std::unique_ptr<kafka::BulkProducer> producer_;
};

}  // namespace

void bind_bench(nb::module_& module) {
  nb::class_<PyBulkProducer>(module, "BulkProducer", "Asynchronous Kafka producer for filling topics fast.")
      .def(nb::init<const kafka::ConfigMap&>(), nb::arg("config"))
      .def("produce_many", &PyBulkProducer::produce_many, nb::arg("topic"), nb::arg("partition"),
           nb::arg("records"),
           nb::sig("def produce_many(self, topic: str, partition: int, "
                   "records: list[tuple[bytes | None, bytes | None]]) -> None"))
      .def("flush", &PyBulkProducer::flush, nb::arg("timeout_ms") = 60000)
      .def_prop_ro("delivered", &PyBulkProducer::delivered);
}

}  // namespace cdc::bindings
