// Python bindings for cdc::pipeline: Source (Kafka -> batches, as batch_bindings.hpp binds them) and
// batches_from_records (the same path without Kafka, for tests and diagnostics).
#pragma once

#include <nanobind/nanobind.h>

namespace cdc::bindings {

void bind_source(nanobind::module_& module);

}  // namespace cdc::bindings
