#include "value_decoder.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "cdc/decode/base64.hpp"
#include "cdc/decode/iso_time.hpp"
#include "cdc/types/civil_time.hpp"
#include "cdc/types/decimal.hpp"
#include "toast_placeholder.hpp"

namespace cdc::decode {

namespace {

using simdjson::dom::element;
using types::Cell;
using types::Int128;
using types::Kind;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Debezium's ±infinity for timestamp columns: pgjdbc's PGStatement.DATE_POSITIVE/NEGATIVE_INFINITY
// (9223372036825200000 / -9223372036832400000) read as microseconds (MicroTimestamp), the same instants
// in milliseconds (Timestamp), and Long.MAX_VALUE / Long.MIN_VALUE (NanoTimestamp, see
// PostgresValueConverter.convertTimestampToEpochNanos). All become DuckDB's ±infinity.
constexpr std::int64_t kMicroInfinity = 9223372036825200000LL;
constexpr std::int64_t kMicroNegativeInfinity = -9223372036832400000LL;
constexpr std::int64_t kMilliInfinity = kMicroInfinity / 1000;
constexpr std::int64_t kMilliNegativeInfinity = kMicroNegativeInfinity / 1000;
// Date ±infinity: PostgresValueConverter.POSITIVE/NEGATIVE_INFINITY_LOCAL_DATE (-5877611-06-21 and
// -5877611-06-22) as epoch days (inferred from the code; no PostgreSQL date is that early). They become
// DuckDB's DATE ±infinity (±INT32_MAX days).
constexpr std::int64_t kDateInfinitySentinel = -2147472693;
constexpr std::int64_t kDateNegativeInfinitySentinel = -2147472692;
// What Debezium 3.7 actually sends for date 'infinity' / '-infinity' (seen on the real stack: pgjdbc's
// infinity instants pushed through an int cast). Both lie far before any real PostgreSQL date (4713 BC).
constexpr std::int64_t kDateInfinityObserved = -622191234;
constexpr std::int64_t kDateNegativeInfinityObserved = -625821272;
// ... and in streamed changes (seen on the real stack with Debezium 3.7, pgoutput): both beyond PostgreSQL's
// date range (5874897-12-31 AD is day 2145042905; 4713 BC is about day -2440588).
constexpr std::int64_t kDateInfinityStreamed = 2146033979;
constexpr std::int64_t kDateNegativeInfinityStreamed = -2147472691;
constexpr std::int64_t kDuckDateInfinity = std::numeric_limits<std::int32_t>::max();
// PostgreSQL's earliest timestamp, 4714-11-24 00:00:00 BC, in µs since 1970. Debezium 3.7 computes µs in a
// Java long, so a timestamp after 294247-01-10 AD (PostgreSQL allows up to 294276 AD) wraps to a value far
// before it (seen: '294276-12-31 23:59:59.999999' arrives as -9223372036853775810).
constexpr std::int64_t kPostgresMinTimestampMicros = -210866803200000000LL;
// The `length` Debezium gives an unbounded `bit varying`: the value's leading zero bits are lost.
constexpr std::int32_t kUnboundedBitsLength = std::numeric_limits<std::int32_t>::max();

Status fail(std::string reason) { return Status::decode_error(std::move(reason)); }

Result<std::string_view> as_string(element value) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return fail("expected a JSON string");
  return text;
}

Result<std::int64_t> as_int64(element value) {
  std::int64_t number = 0;
  if (value.get_int64().get(number) != simdjson::SUCCESS) return fail("expected a 64-bit integer");
  return number;
}

Result<std::string> as_bytes(element value) {
  CDC_ASSIGN_OR_RETURN(std::string_view text, as_string(value));
  std::optional<std::string> bytes = decode_base64(text);
  if (!bytes) return fail("expected base64 bytes");
  return std::move(*bytes);
}

Result<Cell> decode_integer(element value, const FieldSpec& field) {
  CDC_ASSIGN_OR_RETURN(std::int64_t number, as_int64(value));
  std::int64_t low = std::numeric_limits<std::int64_t>::min(), high = kInt64Max;
  if (field.type.kind == Kind::kInt16) {
    low = std::numeric_limits<std::int16_t>::min();
    high = std::numeric_limits<std::int16_t>::max();
  } else if (field.type.kind == Kind::kInt32) {
    low = std::numeric_limits<std::int32_t>::min();
    high = std::numeric_limits<std::int32_t>::max();
  }
  if (number < low || number > high) return fail("integer out of range for " + field.type.duck_type());
  return Cell{number};
}

Result<Cell> decode_float(element value) {
  double number = 0;
  if (value.get_double().get(number) == simdjson::SUCCESS) return Cell{number};
  CDC_ASSIGN_OR_RETURN(std::string_view text, as_string(value));
  if (text == "NaN") return Cell{std::numeric_limits<double>::quiet_NaN()};
  if (text == "Infinity") return Cell{std::numeric_limits<double>::infinity()};
  if (text == "-Infinity") return Cell{-std::numeric_limits<double>::infinity()};
  return fail("expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
}

// DECIMAL(p,s) gets the unscaled 128-bit integer, checked against p; a VARCHAR numeric gets the exact
// digits with the schema's scale.
Result<Cell> decimal_cell(std::string_view bytes, std::int32_t scale, const FieldSpec& field) {
  if (field.type.kind != Kind::kDecimal) return Cell{types::decimal_text_from_twos_complement(bytes, scale)};
  std::optional<Int128> unscaled = types::int128_from_twos_complement(bytes);
  if (!unscaled || types::decimal_digits(*unscaled) > field.type.precision) {
    return fail("numeric value " + types::decimal_text_from_twos_complement(bytes, scale) + " does not fit " +
                field.type.duck_type());
  }
  return Cell{*unscaled};
}

Result<Cell> decode_connect_decimal(element value, const FieldSpec& field) {
  if (value.is_number()) {
    return fail("Decimal arrived as a JSON number; set the converter's decimal.format=BASE64 (the default)");
  }
  CDC_ASSIGN_OR_RETURN(std::string bytes, as_bytes(value));
  return decimal_cell(bytes, field.decimal_scale, field);
}

// {"scale": s, "value": base64}: the exact digits with the value's own scale, as PostgreSQL writes them
// ("1.50" stays "1.50"); the batch decides whether the column is DECIMAL(38,18) or text (FieldSpec).
Result<Cell> decode_variable_scale_decimal(element value) {
  simdjson::dom::object object;
  std::int64_t scale = 0;
  if (value.get_object().get(object) != simdjson::SUCCESS ||
      object["scale"].get_int64().get(scale) != simdjson::SUCCESS) {
    return fail("expected {\"scale\": <int>, \"value\": <base64>}");
  }
  element digits;
  if (object["value"].get(digits) != simdjson::SUCCESS) return fail("VariableScaleDecimal has no 'value'");
  CDC_ASSIGN_OR_RETURN(std::string bytes, as_bytes(digits));
  if (scale < -1000000 || scale > 1000000) return fail("VariableScaleDecimal scale out of range");
  return Cell{types::decimal_text_from_twos_complement(bytes, static_cast<int>(scale))};
}

// decimal.handling.mode=string: the exact digits as PostgreSQL wrote them; Debezium spells the special
// values as Java's names, which become PostgreSQL's ("NaN", "Infinity", "-Infinity").
Result<Cell> decode_decimal_text(element value) {
  CDC_ASSIGN_OR_RETURN(std::string_view text, as_string(value));
  if (text == "NAN") return Cell{std::string("NaN")};
  if (text == "POSITIVE_INFINITY") return Cell{std::string("Infinity")};
  if (text == "NEGATIVE_INFINITY") return Cell{std::string("-Infinity")};
  return Cell{std::string(text)};
}

Result<Cell> decode_date(element value) {
  CDC_ASSIGN_OR_RETURN(std::int64_t days, as_int64(value));
  if (days == kDateInfinitySentinel || days == kDateInfinityObserved || days == kDateInfinityStreamed) {
    return Cell{kDuckDateInfinity};
  }
  if (days == kDateNegativeInfinitySentinel || days == kDateNegativeInfinityObserved ||
      days == kDateNegativeInfinityStreamed) {
    return Cell{-kDuckDateInfinity};
  }
  return Cell{days};
}

Result<Cell> decode_time(element value, std::int64_t micros_per_unit, std::int64_t units_per_micro) {
  CDC_ASSIGN_OR_RETURN(std::int64_t number, as_int64(value));
  if (number % units_per_micro != 0) return fail("time has sub-microsecond precision");
  const Int128 micros = Int128{number} * micros_per_unit / units_per_micro;
  if (micros < 0 || micros > types::kMicrosPerDay) return fail("time of day out of range");
  return Cell{static_cast<std::int64_t>(micros)};
}

Result<Cell> decode_timestamp(element value, Encoding encoding) {
  CDC_ASSIGN_OR_RETURN(std::int64_t number, as_int64(value));
  // Debezium 3.7 (seen on the real stack) sends PostgreSQL's ±infinity as Long.MAX/MIN in every precision;
  // older versions used the sentinels below.
  if (number == kInt64Max) return Cell{kTimestampInfinity};
  if (number == std::numeric_limits<std::int64_t>::min()) return Cell{kTimestampNegativeInfinity};
  Int128 micros = number;
  if (encoding == Encoding::kTimestampMillis) {
    if (number == kMilliInfinity) return Cell{kTimestampInfinity};
    if (number == kMilliNegativeInfinity) return Cell{kTimestampNegativeInfinity};
    micros = Int128{number} * 1000;
  } else if (encoding == Encoding::kTimestampMicros) {
    if (number == kMicroInfinity) return Cell{kTimestampInfinity};
    if (number == kMicroNegativeInfinity) return Cell{kTimestampNegativeInfinity};
  } else {
    if (number % 1000 != 0) return fail("timestamp has sub-microsecond precision");
    micros = number / 1000;
  }
  if (micros >= kTimestampInfinity || micros <= kTimestampNegativeInfinity) {
    return fail("timestamp outside DuckDB's range");
  }
  if (micros < kPostgresMinTimestampMicros) {
    return fail(
        "timestamp before PostgreSQL's earliest (4714 BC): Debezium overflowed a timestamp after "
        "294247-01-10 AD; exclude the column (exclude_columns) or keep its values within DuckDB's range");
  }
  return Cell{static_cast<std::int64_t>(micros)};
}

// MicroDuration is Debezium's approximation (a month = 30.4375 days), so it is kept as the exact
// microsecond count it carries, all in the interval's time part. interval.handling.mode=string
// (io.debezium.time.Interval) keeps months and days exactly.
Result<Cell> decode_micro_duration(element value) {
  double number = 0;
  Int128 micros = 0;
  std::int64_t whole = 0;
  if (value.get_int64().get(whole) == simdjson::SUCCESS) {
    micros = whole;
  } else if (value.get_double().get(number) == simdjson::SUCCESS && std::isfinite(number) &&
             std::fabs(number) < 9e18) {
    micros = static_cast<Int128>(std::llround(number));  // Debezium 1.x wrote a float64 approximation
  } else {
    return fail("expected a number of microseconds");
  }
  const Int128 nanos = micros * 1000;
  if (nanos > kInt64Max || nanos < -kInt64Max) return fail("interval outside DuckDB's range");
  return Cell{types::IntervalValue{0, 0, static_cast<std::int64_t>(nanos)}};
}

// io.debezium.data.Bits: Debezium turns PostgreSQL's bit string b[0..n-1] (b[0] leftmost) into a BitSet
// with index n-1-i for b[i] and sends BitSet.toByteArray(): little-endian bytes, least significant bit
// first within a byte. So bit k of the little-endian integer is PostgreSQL position n-1-k. Debezium also
// trims the bytes to the highest set bit, so leading zero bits are restored from the schema's `length`
// (exact for bit(n); for bit varying, values shorter than the declared length gain leading zeros).
Result<Cell> decode_bits(element value, const FieldSpec& field) {
  if (field.bit_length == kUnboundedBitsLength) {
    return fail(
        "bit varying without a length: Debezium drops the value's leading zero bits (refused by the type "
        "contract); exclude the column (exclude_columns) or change its type to text");
  }
  CDC_ASSIGN_OR_RETURN(std::string bytes, as_bytes(value));
  std::size_t highest = 0;  // 1 + index of the highest set bit
  for (std::size_t k = 0; k < bytes.size() * 8; ++k) {
    if ((static_cast<unsigned char>(bytes[k / 8]) >> (k % 8)) & 1U) highest = k + 1;
  }
  const std::size_t length = field.bit_length > 0 && static_cast<std::size_t>(field.bit_length) <= (1U << 24)
                                 ? static_cast<std::size_t>(field.bit_length)
                                 : (highest == 0 ? 1 : highest);
  if (highest > length)
    return fail("bit string longer than the column's " + std::to_string(length) + " bits");
  std::string text(length, '0');
  for (std::size_t k = 0; k < highest; ++k) {
    if ((static_cast<unsigned char>(bytes[k / 8]) >> (k % 8)) & 1U) text[length - 1 - k] = '1';
  }
  return Cell{std::move(text)};
}

// Point/Geometry/Geography structs carry the WKB in `wkb`; a Point without it is rebuilt from x and y.
Result<Cell> decode_geometry(element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return fail("expected a geometry struct");
  element wkb;
  if (object["wkb"].get(wkb) == simdjson::SUCCESS && !wkb.is_null()) {
    CDC_ASSIGN_OR_RETURN(std::string bytes, as_bytes(wkb));
    return Cell{std::move(bytes)};
  }
  double x = 0, y = 0;
  if (object["x"].get_double().get(x) != simdjson::SUCCESS ||
      object["y"].get_double().get(y) != simdjson::SUCCESS) {
    return fail("geometry struct has neither 'wkb' nor 'x'/'y'");
  }
  std::string point(21, '\0');
  point[0] = 1;  // little-endian, type 1 = Point
  point[1] = 1;
  std::memcpy(point.data() + 5, &x, sizeof x);
  std::memcpy(point.data() + 13, &y, sizeof y);
  return Cell{std::move(point)};
}

// "[Ljava.lang.String;@590bc651": what Debezium writes for an inner array of a multi-dimensional array.
bool is_java_object_text(std::string_view text) {
  if (text.size() < 6 || text.substr(0, 2) != "[L") return false;
  const std::size_t at = text.find(";@");
  if (at == std::string_view::npos || at + 2 == text.size()) return false;
  for (char c : text.substr(at + 2)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<Cell> decode_array(element value, const FieldSpec& field) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return fail("expected a JSON array");
  if (!field.element) return fail("array column has no element type");
  auto list = std::make_shared<types::CellList>();
  list->reserve(array.size());
  for (element item : array) {
    // An element is never the placeholder: Debezium replaces the whole array (checked before this).
    Result<Cell> cell = decode_value(item, *field.element, /*placeholders=*/false);
    if (!cell.is_ok()) {
      std::string reason = "[";
      reason += std::to_string(list->size());
      reason += "] ";
      reason += cell.status().message();
      return fail(std::move(reason));
    }
    const std::string* text = std::get_if<std::string>(&cell->value);
    if (text != nullptr && is_java_object_text(*text)) {
      // Appended piece by piece: GCC 12's -O3 -Wrestrict misfires on `"literal" + std::string&&`.
      std::string reason = "[";
      reason += std::to_string(list->size());
      reason += "] is Java's object text '";
      reason += *text;
      reason +=
          "': Debezium 3.7 cannot send multi-dimensional arrays (refused by the type contract); exclude the "
          "column (exclude_columns) or store one dimension";
      return fail(std::move(reason));
    }
    list->push_back(std::move(cell).value());
  }
  return Cell{std::shared_ptr<const types::CellList>(std::move(list))};
}

Result<Cell> decode_by_encoding(element value, const FieldSpec& field) {
  switch (field.encoding) {
    case Encoding::kBoolean: {
      bool flag = false;
      if (value.get_bool().get(flag) != simdjson::SUCCESS) return fail("expected true or false");
      return Cell{flag};
    }
    case Encoding::kInteger:
      return decode_integer(value, field);
    case Encoding::kFloat:
      return decode_float(value);
    case Encoding::kString: {
      CDC_ASSIGN_OR_RETURN(std::string_view text, as_string(value));
      return Cell{std::string(text)};
    }
    case Encoding::kBase64Bytes: {
      CDC_ASSIGN_OR_RETURN(std::string bytes, as_bytes(value));
      return Cell{std::move(bytes)};
    }
    case Encoding::kConnectDecimal:
      return decode_connect_decimal(value, field);
    case Encoding::kVariableScaleDecimal:
      return decode_variable_scale_decimal(value);
    case Encoding::kDecimalText:
      return decode_decimal_text(value);
    case Encoding::kDateDays:
      return decode_date(value);
    case Encoding::kTimeMillis:
      return decode_time(value, 1000, 1);
    case Encoding::kTimeMicros:
      return decode_time(value, 1, 1);
    case Encoding::kTimeNanos:
      return decode_time(value, 1, 1000);
    case Encoding::kTimestampMillis:
    case Encoding::kTimestampMicros:
    case Encoding::kTimestampNanos:
      return decode_timestamp(value, field.encoding);
    case Encoding::kZonedTimestamp: {
      CDC_ASSIGN_OR_RETURN(std::string_view text, as_string(value));
      CDC_ASSIGN_OR_RETURN(std::int64_t micros, parse_zoned_timestamp(text));
      return Cell{micros};
    }
    case Encoding::kMicroDuration:
      return decode_micro_duration(value);
    case Encoding::kIsoInterval: {
      CDC_ASSIGN_OR_RETURN(std::string_view text, as_string(value));
      CDC_ASSIGN_OR_RETURN(types::IntervalValue interval, parse_iso_interval(text));
      return Cell{interval};
    }
    case Encoding::kBits:
      return decode_bits(value, field);
    case Encoding::kGeometry:
      return decode_geometry(value);
    case Encoding::kArray:
      return decode_array(value, field);
    case Encoding::kJsonText:
      return Cell{simdjson::minify(value)};
  }
  return fail("unknown encoding");
}

std::string value_excerpt(element value) {
  std::string text = simdjson::minify(value);
  constexpr std::size_t kLimit = 80;
  if (text.size() > kLimit) {
    text.resize(kLimit);
    text += "...";
  }
  return text;
}

}  // namespace

Result<Cell> decode_value(element value, const FieldSpec& field, bool placeholders) {
  if (value.is_null()) return Cell{};
  if (placeholders && is_unavailable_placeholder(value, field)) return Cell{types::Unavailable{}};
  Result<Cell> cell = decode_by_encoding(value, field);
  if (cell.is_ok()) return cell;
  // Array elements have no name of their own; the enclosing column's error names the column.
  const std::string subject = field.name.empty() ? std::string("element") : "column '" + field.name + "'";
  return Status::decode_error(subject + " (" + field.type.duck_type() + "): " + cell.status().message() +
                              "; value " + value_excerpt(value));
}

}  // namespace cdc::decode
