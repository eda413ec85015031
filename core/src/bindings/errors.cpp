#include "errors.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

void register_errors(nb::module_& module) {
  nb::exception<KafkaException>(module, "KafkaError", PyExc_RuntimeError);
  nb::exception<DecodeException>(module, "DecodeError", PyExc_ValueError);
}

void throw_if_error(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return;
    case StatusCode::kDecodeError:
      throw DecodeException(status.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kKafkaError:
      throw KafkaException(status.message());
    case StatusCode::kInternal:
      break;
  }
  throw std::runtime_error(status.to_string());  // a bug in the core: RuntimeError with the code name
}

}  // namespace cdc::bindings
