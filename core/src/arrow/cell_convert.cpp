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

std::string type_label(const types::ColumnType& type) {
  using types::Kind;
  switch (type.kind) {
    case Kind::kBoolean:
      return "BOOLEAN";
    case Kind::kInt16:
      return "SMALLINT";
    case Kind::kInt32:
      return "INTEGER";
    case Kind::kInt64:
      return "BIGINT";
    case Kind::kFloat32:
      return "REAL";
    case Kind::kFloat64:
      return "DOUBLE";
    case Kind::kDecimal:
      return "DECIMAL(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case Kind::kVarchar:
      return "VARCHAR";
    case Kind::kJson:
      return "JSON";
    case Kind::kUuid:
      return "UUID";
    case Kind::kBlob:
      return "BLOB";
    case Kind::kBit:
      return "BIT";
    case Kind::kDate:
      return "DATE";
    case Kind::kTime:
      return "TIME";
    case Kind::kTimeTz:
      return "TIMETZ";
    case Kind::kTimestamp:
      return "TIMESTAMP";
    case Kind::kTimestampTz:
      return "TIMESTAMPTZ";
    case Kind::kInterval:
      return "INTERVAL";
    case Kind::kList:
      return (type.element ? type_label(*type.element) : std::string("?")) + "[]";
  }
  return "?";
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
