// Exact decimal arithmetic for Connect decimals: the unscaled value arrives as big-endian two's-complement
// bytes (Java's BigInteger.toByteArray()), and must reach DuckDB either as a 128-bit unscaled integer
// (DECIMAL(p,s), p <= 38) or as the exact digit text (wider numerics). Nothing here rounds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cdc/types/cell.hpp"

namespace cdc::types {

inline constexpr int kMaxDecimalPrecision = 38;

// 10^exponent for 0 <= exponent <= 38.
Int128 pow10_int128(int exponent) noexcept;

// The integer that big-endian two's-complement `bytes` encode, or nullopt when it does not fit in 128
// bits. Empty input is 0.
std::optional<Int128> int128_from_twos_complement(std::string_view bytes) noexcept;

// Number of decimal digits of |value| (0 has 1 digit).
int decimal_digits(Int128 value) noexcept;

// "-123.45" for (unscaled -12345, scale 2); a negative scale appends zeros ("12300" for (123, -2)).
std::string decimal_text(Int128 unscaled, int scale);

// The same for an integer of any width given as big-endian two's-complement bytes.
std::string decimal_text_from_twos_complement(std::string_view bytes, int scale);

// True when the plain decimal text `text` ("-123.4500", no exponent) holds a value DECIMAL(precision, scale)
// represents exactly: at most precision - scale integer digits (leading zeros aside) and at most scale
// fractional digits (trailing zeros aside). "NaN", "Infinity" or anything else that is not such text: false.
bool decimal_text_fits(std::string_view text, int precision, int scale) noexcept;

// The unscaled value of plain decimal text at `scale` ("-1.5" at scale 2 is -150), or nullopt when the text
// is not such text, has a nonzero digit beyond `scale`, or needs more than 38 digits.
std::optional<Int128> decimal_from_text(std::string_view text, int scale) noexcept;

}  // namespace cdc::types
