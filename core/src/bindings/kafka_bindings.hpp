// Python bindings for cdc::kafka: Consumer, Message and cluster_metadata.
#pragma once

#include <nanobind/nanobind.h>

namespace cdc::bindings {

void bind_kafka(nanobind::module_& module);

}  // namespace cdc::bindings
