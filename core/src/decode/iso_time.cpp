#include "cdc/decode/iso_time.hpp"

#include <string>

#include "cdc/types/civil_time.hpp"

namespace cdc::decode {

namespace {

using Int128 = types::Int128;

// A left-to-right reader over the text; every read reports success, so a malformed value never reads
// past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  [[nodiscard]] bool done() const { return pos_ == text_.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
  bool accept(char c) {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }
  // Up to `max_digits` decimal digits (at least `min_digits`) into `value`.
  bool digits(std::size_t min_digits, std::size_t max_digits, std::int64_t& value,
              std::size_t* count = nullptr) {
    std::size_t n = 0;
    value = 0;
    while (n < max_digits && !done() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (count != nullptr) *count = n;
    return n >= min_digits;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Status malformed(std::string_view what, std::string_view text) {
  return Status::decode_error("not a valid " + std::string(what) + ": '" + std::string(text.substr(0, 64)) +
                              "'");
}

// Fraction digits after '.', as nanoseconds (1-9 digits).
bool fraction_nanos(Cursor& in, std::int64_t& nanos) {
  std::size_t count = 0;
  if (!in.digits(1, 9, nanos, &count)) return false;
  for (std::size_t i = count; i < 9; ++i) nanos *= 10;
  return true;
}

// 'Z', or +hh, +hhmm, +hh:mm, +hh:mm:ss (and '-'), as seconds east of UTC.
bool offset_seconds(Cursor& in, std::int64_t& seconds) {
  if (in.accept('Z')) {
    seconds = 0;
    return true;
  }
  const int sign = in.accept('-') ? -1 : (in.accept('+') ? 1 : 0);
  std::int64_t hours = 0, minutes = 0, secs = 0;
  if (sign == 0 || !in.digits(2, 2, hours)) return false;
  if (in.accept(':')) {
    if (!in.digits(2, 2, minutes)) return false;
    if (in.accept(':') && !in.digits(2, 2, secs)) return false;
  } else if (!in.done()) {
    if (!in.digits(2, 2, minutes)) return false;
  }
  if (hours > 18 || minutes > 59 || secs > 59) return false;
  seconds = sign * (hours * 3600 + minutes * 60 + secs);
  return true;
}

bool parse_date(Cursor& in, types::CivilDate& date) {
  const bool negative = in.accept('-');
  if (!negative) in.accept('+');
  std::int64_t year = 0, month = 0, day = 0;
  if (!in.digits(4, 10, year) || !in.accept('-') || !in.digits(2, 2, month) || !in.accept('-') ||
      !in.digits(2, 2, day)) {
    return false;
  }
  date = types::CivilDate{negative ? -year : year, static_cast<int>(month), static_cast<int>(day)};
  return types::is_valid_civil_date(date);
}

// A signed decimal number; `nanos` receives the fraction (only seconds may have one).
bool signed_number(Cursor& in, std::int64_t& whole, std::int64_t& nanos, bool& negative) {
  negative = in.accept('-');
  if (!negative) in.accept('+');
  nanos = 0;
  if (!in.digits(1, 18, whole)) return false;
  if (in.accept('.') && !fraction_nanos(in, nanos)) return false;
  return true;
}

}  // namespace

Result<std::int64_t> parse_zoned_timestamp(std::string_view text) {
  if (text == "infinity") return kTimestampInfinity;
  if (text == "-infinity") return kTimestampNegativeInfinity;
  Cursor in(text);
  types::CivilDate date;
  std::int64_t hour = 0, minute = 0, second = 0, nanos = 0, offset = 0;
  if (!parse_date(in, date) || !(in.accept('T') || in.accept(' ')) || !in.digits(2, 2, hour) ||
      !in.accept(':') || !in.digits(2, 2, minute)) {
    return malformed("ISO-8601 timestamp", text);
  }
  if (in.accept(':')) {
    if (!in.digits(2, 2, second)) return malformed("ISO-8601 timestamp", text);
    if (in.accept('.') && !fraction_nanos(in, nanos)) return malformed("ISO-8601 timestamp", text);
  }
  if (!offset_seconds(in, offset) || !in.done() || hour > 23 || minute > 59 || second > 59) {
    return malformed("ISO-8601 timestamp", text);
  }
  if (nanos % 1000 != 0) {
    return Status::decode_error("timestamp '" + std::string(text) +
                                "' has sub-microsecond digits, which DuckDB cannot store");
  }
  const Int128 micros = Int128{types::days_from_civil(date)} * types::kMicrosPerDay +
                        Int128{hour * 3600 + minute * 60 + second - offset} * types::kMicrosPerSecond +
                        nanos / 1000;
  if (micros >= kTimestampInfinity || micros <= kTimestampNegativeInfinity) {
    return Status::decode_error("timestamp '" + std::string(text) +
                                "' is outside DuckDB's TIMESTAMPTZ range");
  }
  return static_cast<std::int64_t>(micros);
}

Result<types::IntervalValue> parse_iso_interval(std::string_view text) {
  Cursor in(text);
  const bool negate_all = in.accept('-');
  if (!in.accept('P')) return malformed("ISO-8601 interval", text);
  Int128 months = 0, days = 0, nanos = 0;
  bool time_part = false, any = false;
  while (!in.done()) {
    if (!time_part && in.accept('T')) {
      time_part = true;
      continue;
    }
    std::int64_t whole = 0, fraction = 0;
    bool negative = false;
    if (!signed_number(in, whole, fraction, negative)) return malformed("ISO-8601 interval", text);
    const int sign = negative ? -1 : 1;
    const char unit = in.peek();
    if (!in.accept(unit) || (fraction != 0 && !(time_part && unit == 'S'))) {
      return malformed("ISO-8601 interval", text);
    }
    if (!time_part && unit == 'Y') {
      months += Int128{sign} * whole * 12;
    } else if (!time_part && unit == 'M') {
      months += Int128{sign} * whole;
    } else if (!time_part && unit == 'W') {
      days += Int128{sign} * whole * 7;
    } else if (!time_part && unit == 'D') {
      days += Int128{sign} * whole;
    } else if (time_part && unit == 'H') {
      nanos += Int128{sign} * whole * 3'600'000'000'000LL;
    } else if (time_part && unit == 'M') {
      nanos += Int128{sign} * whole * 60'000'000'000LL;
    } else if (time_part && unit == 'S') {
      nanos += Int128{sign} * (Int128{whole} * 1'000'000'000LL + fraction);
    } else {
      return malformed("ISO-8601 interval", text);
    }
    any = true;
  }
  if (!any) return malformed("ISO-8601 interval", text);
  if (negate_all) {
    months = -months;
    days = -days;
    nanos = -nanos;
  }
  constexpr Int128 kInt32Max = std::numeric_limits<std::int32_t>::max();
  constexpr Int128 kInt64Max = std::numeric_limits<std::int64_t>::max();
  if (months > kInt32Max || months < -kInt32Max || days > kInt32Max || days < -kInt32Max ||
      nanos > kInt64Max || nanos < -kInt64Max) {
    return Status::decode_error("interval '" + std::string(text) + "' is outside DuckDB's INTERVAL range");
  }
  return types::IntervalValue{static_cast<std::int32_t>(months), static_cast<std::int32_t>(days),
                              static_cast<std::int64_t>(nanos)};
}

}  // namespace cdc::decode
