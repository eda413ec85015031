#include "cdc/types/cell.hpp"

#include <cmath>

namespace cdc::types {

namespace {

// Value equality: lists compare element by element (not by pointer), and two NaNs are equal so that a
// decoded row equals the row it was built from.
struct EqualVisitor {
  const Cell& other;

  template <typename T>
  bool operator()(const T& value) const {
    return value == std::get<T>(other.value);
  }
  bool operator()(double value) const {
    double theirs = std::get<double>(other.value);
    return value == theirs || (std::isnan(value) && std::isnan(theirs));
  }
  bool operator()(const std::shared_ptr<const CellList>& list) const {
    const auto& theirs = std::get<std::shared_ptr<const CellList>>(other.value);
    if (!list || !theirs) return list == theirs;
    return *list == *theirs;
  }
};

}  // namespace

bool operator==(const Cell& a, const Cell& b) {
  if (a.value.index() != b.value.index()) return false;
  return std::visit(EqualVisitor{b}, a.value);
}

}  // namespace cdc::types
