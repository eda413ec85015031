// The one place where a Status becomes a Python exception (KafkaError or DecodeError).
#pragma once

#include <nanobind/nanobind.h>

#include <stdexcept>
#include <utility>

#include "cdc/status.hpp"

namespace cdc::bindings {

// C++ exceptions nanobind translates into cdc_pipeline._core.KafkaError / DecodeError.
class KafkaException : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
class DecodeException : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Registers KafkaError(RuntimeError) and DecodeError(ValueError) on the module.
void register_errors(nanobind::module_& module);

// Throws the exception matching `status` unless it is OK.
void throw_if_error(const Status& status);

template <typename T>
T unwrap(Result<T>&& result) {
  throw_if_error(result.status());
  return std::move(result).value();
}

}  // namespace cdc::bindings
