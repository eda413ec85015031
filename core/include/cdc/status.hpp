// Errors as values for the hot path: `Status` says whether an operation worked and, if not, what failed
// and where; `Result<T>` is either a value or a non-OK Status. Exceptions are raised only at the API edge
// (the Python bindings translate a Status into a Python exception).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace cdc {

// The code decides how the edge reports an error (which Python exception), the message says what failed.
enum class StatusCode : std::uint8_t {
  kOk,
  kInvalidArgument,  // a caller-supplied value is wrong (config key, topic list, offsets)
  kDecodeError,      // a Kafka record is not the Debezium envelope we expect
  kKafkaError,       // librdkafka reported an error that needs the caller's attention
  kInternal,         // a bug in this library
};

std::string_view status_code_name(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK

  static Status ok() noexcept { return Status(); }
  static Status invalid_argument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status decode_error(std::string message) {
    return Status(StatusCode::kDecodeError, std::move(message));
  }
  static Status kafka_error(std::string message) {
    return Status(StatusCode::kKafkaError, std::move(message));
  }
  static Status internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }

  [[nodiscard]] bool is_ok() const noexcept { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  // "OK" or "<CodeName>: <message>", for logs and test failures.
  [[nodiscard]] std::string to_string() const;

  // The same error with "<context>: " in front of the message, so callers can say where it happened.
  [[nodiscard]] Status with_context(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

namespace detail {
// Reading the value of a failed Result is a bug in the caller: print the status and abort.
[[noreturn]] void die_on_bad_result_access(const Status& status) noexcept;
}  // namespace detail

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "use Status, not Result<Status>");

 public:
  // Implicit, so a function returning Result<T> can `return value;` or `return Status::...;`.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  // An OK status carries no value, so it becomes an internal error instead of an empty Result.
  Result(Status status)
      : state_(std::in_place_index<1>, status.is_ok()
                                           ? Status::internal("Result constructed from an OK Status")
                                           : std::move(status)) {}

  [[nodiscard]] bool is_ok() const noexcept { return state_.index() == 0; }
  [[nodiscard]] const Status& status() const noexcept {
    static const Status kOkStatus;
    return is_ok() ? kOkStatus : std::get<1>(state_);
  }

  // Preconditions: is_ok(). Checked: a violation aborts with the error message.
  [[nodiscard]] T& value() & {
    check();
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    check();
    return std::get<0>(state_);
  }
  // By value, so `auto x = make().value();` never refers into a destroyed temporary.
  [[nodiscard]] T value() && {
    check();
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check() const {
    if (!is_ok()) detail::die_on_bad_result_access(std::get<1>(state_));
  }

  std::variant<T, Status> state_;
};

}  // namespace cdc

#define CDC_CONCAT_INNER_(a, b) a##b
#define CDC_CONCAT_(a, b) CDC_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` (a Status) is not OK.
#define CDC_RETURN_IF_ERROR(expr)                 \
  do {                                            \
    ::cdc::Status cdc_status_ = (expr);           \
    if (!cdc_status_.is_ok()) return cdc_status_; \
  } while (false)

// `CDC_ASSIGN_OR_RETURN(auto x, make_x());` declares x from an OK Result, else returns its Status.
#define CDC_ASSIGN_OR_RETURN(lhs, expr) \
  CDC_ASSIGN_OR_RETURN_IMPL_(CDC_CONCAT_(cdc_result_, __LINE__), lhs, expr)
#define CDC_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                               \
  if (!result.is_ok()) return result.status();        \
  lhs = std::move(result).value()
