// cdc_pipeline._core: the C++ data path as a Python module.
#include <nanobind/nanobind.h>

#include "admin_bindings.hpp"
#include "arrow_bindings.hpp"
#include "batch_bindings.hpp"
#include "decode_bindings.hpp"
#include "errors.hpp"
#include "kafka_bindings.hpp"
#include "source_bindings.hpp"

NB_MODULE(_core, module) {
  module.doc() = "C++ data path of cdc_pipeline: Kafka consumption and Debezium decoding.";
  cdc::bindings::register_errors(module);
  cdc::bindings::bind_kafka(module);
  cdc::bindings::bind_decode(module);
  cdc::bindings::bind_admin(module);
  cdc::bindings::bind_arrow(module);
  cdc::bindings::bind_batch(module);
  cdc::bindings::bind_source(module);
}
