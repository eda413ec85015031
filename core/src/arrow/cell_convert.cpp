#include "cell_convert.hpp"

#include <array>

namespace cdc::arrow::detail {

namespace {

constexpr std::array<types::Int128, 39> make_powers_of_ten() {
  std::array<types::Int128, 39> powers{};
  powers[0] = 1;
  for (std::size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * 10;
  return powers;
}

constexpr std::array<types::Int128, 39> kPowersOfTen = make_powers_of_ten();

}  // namespace

bool decimal_fits(types::Int128 unscaled, std::uint8_t precision) noexcept {
  if (precision == 0 || precision > 38) precision = 38;
  const types::Int128 limit = kPowersOfTen[precision];
  return unscaled < limit && unscaled > -limit;
}

std::string describe(const Cell& cell) {
  struct Describe {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(types::Unavailable) const { return "the unchanged-TOAST placeholder"; }
    std::string operator()(bool) const { return "a boolean"; }
    std::string operator()(std::int64_t value) const { return "the integer " + std::to_string(value); }
    std::string operator()(double) const { return "a floating-point number"; }
    std::string operator()(types::Int128) const { return "a decimal"; }
    std::string operator()(const std::string&) const { return "a string"; }
    std::string operator()(const types::IntervalValue&) const { return "an interval"; }
    std::string operator()(const std::shared_ptr<const types::CellList>&) const { return "a list"; }
  };
  return std::visit(Describe{}, cell.value);
}

}  // namespace cdc::arrow::detail
