// Python bindings for one-shot Kafka admin queries: query_watermarks.
#pragma once

#include <nanobind/nanobind.h>

namespace cdc::bindings {

void bind_admin(nanobind::module_& module);

}  // namespace cdc::bindings
