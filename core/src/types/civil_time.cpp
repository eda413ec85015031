#include "cdc/types/civil_time.hpp"

#include <cstdio>

namespace cdc::types {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

std::int64_t days_from_civil(CivilDate date) noexcept {
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t m = date.month;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t days) noexcept {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_valid_civil_date(CivilDate date) noexcept {
  if (date.month < 1 || date.month > 12 || date.day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
  const int limit = (date.month == 2 && leap) ? 29 : kDays[date.month - 1];
  return date.day <= limit;
}

std::string format_date(std::int64_t days) {
  const CivilDate date = civil_from_days(days);
  char text[48];
  if (date.year >= 1 && date.year <= 9999) {
    std::snprintf(text, sizeof text, "%04lld-%02d-%02d", static_cast<long long>(date.year), date.month,
                  date.day);
  } else {
    std::snprintf(text, sizeof text, "%+05lld-%02d-%02d", static_cast<long long>(date.year), date.month,
                  date.day);
  }
  return text;
}

std::string format_time(std::int64_t micros_of_day) {
  const std::int64_t seconds = micros_of_day / kMicrosPerSecond;
  const std::int64_t fraction = micros_of_day % kMicrosPerSecond;
  char text[32];
  int length =
      std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                    static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  if (fraction != 0 && length > 0) {
    std::snprintf(text + length, sizeof text - static_cast<std::size_t>(length), ".%06lld",
                  static_cast<long long>(fraction));
  }
  return text;
}

std::string format_timestamp(std::int64_t micros) {
  const std::int64_t days = floor_div(micros, kMicrosPerDay);
  return format_date(days) + " " + format_time(micros - days * kMicrosPerDay);
}

}  // namespace cdc::types
