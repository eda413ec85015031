// Proleptic-Gregorian calendar arithmetic (Howard Hinnant's days_from_civil), valid for any year that fits
// in an int64 day count. Used to read ISO-8601 timestamps and to write DATE/TIMESTAMP SQL literals.
#pragma once

#include <cstdint>
#include <string>

namespace cdc::types {

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

struct CivilDate {
  std::int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 of a calendar date (month and day already validated).
std::int64_t days_from_civil(CivilDate date) noexcept;
CivilDate civil_from_days(std::int64_t days) noexcept;

// True when `day` exists in that month of that year.
bool is_valid_civil_date(CivilDate date) noexcept;

// "2024-05-01" (years outside 1..9999 are written with their sign and at least 4 digits, ISO style).
std::string format_date(std::int64_t days);
// "13:14:15.123456" for microseconds since midnight (0..86400000000); trailing ".000000" omitted.
std::string format_time(std::int64_t micros_of_day);
// "2024-05-01 13:14:15.123456" for microseconds since the epoch.
std::string format_timestamp(std::int64_t micros);

}  // namespace cdc::types
