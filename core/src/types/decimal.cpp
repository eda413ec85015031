#include "cdc/types/decimal.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace cdc::types {

namespace {

using UInt128 = unsigned __int128;

// "12345" with scale 2 -> "123.45"; scale 5 -> "0.12345"; scale -2 -> "1234500".
std::string place_point(std::string digits, bool negative, int scale) {
  if (scale < 0) {
    if (digits != "0") digits.append(static_cast<std::size_t>(-scale), '0');
  } else if (scale > 0) {
    auto width = static_cast<std::size_t>(scale);
    if (digits.size() <= width) digits.insert(0, width + 1 - digits.size(), '0');
    digits.insert(digits.size() - width, 1, '.');
  }
  if (negative) digits.insert(0, 1, '-');
  return digits;
}

std::string magnitude_digits(UInt128 magnitude) {
  if (magnitude == 0) return "0";
  std::string digits;
  while (magnitude != 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  return digits;
}

// Divides the big-endian base-256 number in place by `divisor`, returning the remainder.
std::uint32_t divide_in_place(std::vector<std::uint8_t>& number, std::uint32_t divisor) {
  std::uint64_t remainder = 0;
  for (std::uint8_t& byte : number) {
    std::uint64_t current = (remainder << 8) | byte;
    byte = static_cast<std::uint8_t>(current / divisor);
    remainder = current % divisor;
  }
  return static_cast<std::uint32_t>(remainder);
}

bool is_zero(const std::vector<std::uint8_t>& number) {
  for (std::uint8_t byte : number) {
    if (byte != 0) return false;
  }
  return true;
}

}  // namespace

Int128 pow10_int128(int exponent) noexcept {
  Int128 value = 1;
  for (int i = 0; i < exponent; ++i) value *= 10;
  return value;
}

std::optional<Int128> int128_from_twos_complement(std::string_view bytes) noexcept {
  if (bytes.empty()) return Int128{0};
  const bool negative = (static_cast<std::uint8_t>(bytes.front()) & 0x80) != 0;
  const auto sign_byte = static_cast<char>(negative ? 0xFF : 0x00);
  // Leading sign-extension bytes carry no information; what remains must fit in 16 bytes with the
  // right sign bit.
  while (bytes.size() > 16 && bytes.front() == sign_byte) bytes.remove_prefix(1);
  if (bytes.size() > 16) return std::nullopt;
  if (bytes.size() == 16 && ((static_cast<std::uint8_t>(bytes.front()) & 0x80) != 0) != negative) {
    return std::nullopt;
  }
  UInt128 value = negative ? ~UInt128{0} : UInt128{0};
  for (char byte : bytes) value = (value << 8) | static_cast<std::uint8_t>(byte);
  return static_cast<Int128>(value);
}

int decimal_digits(Int128 value) noexcept {
  UInt128 magnitude = value < 0 ? UInt128{0} - static_cast<UInt128>(value) : static_cast<UInt128>(value);
  int digits = 1;
  while (magnitude >= 10) {
    magnitude /= 10;
    ++digits;
  }
  return digits;
}

std::string decimal_text(Int128 unscaled, int scale) {
  const bool negative = unscaled < 0;
  UInt128 magnitude = negative ? UInt128{0} - static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  return place_point(magnitude_digits(magnitude), negative, scale);
}

std::string decimal_text_from_twos_complement(std::string_view bytes, int scale) {
  std::vector<std::uint8_t> number(bytes.begin(), bytes.end());
  const bool negative = !number.empty() && (number.front() & 0x80) != 0;
  if (negative) {  // magnitude = ~x + 1
    for (std::uint8_t& byte : number) byte = static_cast<std::uint8_t>(~byte);
    for (auto it = number.rbegin(); it != number.rend(); ++it) {
      if (++*it != 0) break;
    }
  }
  std::vector<std::uint32_t> chunks;  // base 10^9, least significant first
  while (!is_zero(number)) chunks.push_back(divide_in_place(number, 1'000'000'000U));
  std::string digits = chunks.empty() ? std::string("0") : std::to_string(chunks.back());
  for (std::size_t i = chunks.size(); i-- > 1;) {
    char part[16];
    std::snprintf(part, sizeof part, "%09u", static_cast<unsigned>(chunks[i - 1]));
    digits.append(part);
  }
  const bool show_sign = negative && digits != "0";
  return place_point(std::move(digits), show_sign, scale);
}

bool decimal_text_fits(std::string_view text, int precision, int scale) noexcept {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  const std::size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.empty() && fraction.empty()) return false;
  for (std::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (c < '0' || c > '9') return false;
    }
  }
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  return static_cast<int>(whole.size()) <= precision - scale && static_cast<int>(fraction.size()) <= scale;
}

std::optional<Int128> decimal_from_text(std::string_view text, int scale) noexcept {
  if (scale < 0 || scale > kMaxDecimalPrecision || !decimal_text_fits(text, kMaxDecimalPrecision, scale)) {
    return std::nullopt;
  }
  const bool negative = text.front() == '-';
  if (negative || text.front() == '+') text.remove_prefix(1);
  Int128 value = 0;
  int fraction = -1;  // fractional digits taken so far; -1 before the point
  for (char c : text) {
    if (c == '.') {
      fraction = 0;
      continue;
    }
    if (fraction >= scale) continue;  // a trailing zero beyond the scale (decimal_text_fits checked)
    value = value * 10 + (c - '0');
    if (fraction >= 0) ++fraction;
  }
  for (int i = fraction < 0 ? 0 : fraction; i < scale; ++i) value *= 10;
  return negative ? -value : value;
}

}  // namespace cdc::types
