// Python bindings for cdc::decode.
#pragma once

#include <nanobind/nanobind.h>

namespace cdc::bindings {

void bind_decode(nanobind::module_& module);

}  // namespace cdc::bindings
