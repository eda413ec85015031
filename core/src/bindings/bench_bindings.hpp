// Python bindings used by the benchmarks: BulkProducer (fills topics fast).
#pragma once

#include <nanobind/nanobind.h>

namespace cdc::bindings {

void bind_bench(nanobind::module_& module);

}  // namespace cdc::bindings
