// Debezium's textual time encodings, parsed exactly:
//  - io.debezium.time.ZonedTimestamp: ISO_OFFSET_DATE_TIME in UTC, e.g. "2018-06-20T13:13:16.945104Z",
//    with 0-9 fraction digits, 'Z' or a +hh:mm[:ss] offset, years beyond 9999 written "+10000" and years
//    before 1 written with a '-' (proleptic, 0 = 1 BC); PostgreSQL's ±infinity arrive as "infinity" and
//    "-infinity" (PostgresValueConverter.convertTimestampWithZone).
//  - io.debezium.time.Interval: "P<y>Y<m>M<d>DT<h>H<m>M<s>S" where every part carries its own sign, as
//    Interval.toIsoString writes PGInterval's fields, e.g. "P-1Y-2M3DT-4H-5M-6.78S".
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "cdc/status.hpp"
#include "cdc/types/cell.hpp"

namespace cdc::decode {

// DuckDB's TIMESTAMP infinities: the largest int64 and its negation.
inline constexpr std::int64_t kTimestampInfinity = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t kTimestampNegativeInfinity = -kTimestampInfinity;

// Microseconds since 1970-01-01T00:00:00Z, or ±kTimestampInfinity. Fails (with a reason, no column) for
// malformed text, a non-zero sub-microsecond fraction, or an instant outside the int64 range.
Result<std::int64_t> parse_zoned_timestamp(std::string_view text);

// Months, days and nanoseconds exactly as written (years fold into months, hours/minutes/seconds into
// nanoseconds). Fails for malformed text or parts that overflow.
Result<types::IntervalValue> parse_iso_interval(std::string_view text);

}  // namespace cdc::decode
