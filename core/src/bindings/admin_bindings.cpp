#include "admin_bindings.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

#include "cdc/kafka/watermarks.hpp"
#include "errors.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

void bind_admin(nb::module_& module) {
  module.def(
      "query_watermarks",
      [](const std::string& bootstrap_servers, const std::string& topic, std::int32_t partition,
         int timeout_ms, const kafka::ConfigMap& config) {
        Result<kafka::Watermarks> result = [&] {
          nb::gil_scoped_release release;
          return kafka::query_watermarks(bootstrap_servers, topic, partition, timeout_ms, config);
        }();
        kafka::Watermarks marks = unwrap(std::move(result));
        return std::make_tuple(marks.low, marks.high);
      },
      nb::arg("bootstrap_servers"), nb::arg("topic"), nb::arg("partition"), nb::arg("timeout_ms"),
      nb::arg("config") = kafka::ConfigMap{},
      "(low, high) offsets of one partition; high is the offset the next record gets. Raises KafkaError.");
}

}  // namespace cdc::bindings
