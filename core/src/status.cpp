#include "cdc/status.hpp"

#include <cstdio>
#include <cstdlib>

namespace cdc {

std::string_view status_code_name(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kDecodeError:
      return "DecodeError";
    case StatusCode::kKafkaError:
      return "KafkaError";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string text(status_code_name(code_));
  text += ": ";
  text += message_;
  return text;
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, std::move(message));
}

namespace detail {
void die_on_bad_result_access(const Status& status) noexcept {
  std::fprintf(stderr, "cdc: value() called on a failed Result: %s\n", status.to_string().c_str());
  std::abort();
}
}  // namespace detail

}  // namespace cdc
