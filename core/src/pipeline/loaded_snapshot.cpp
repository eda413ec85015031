#include "cdc/pipeline/loaded_snapshot.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace cdc::pipeline {
namespace {

constexpr std::uint64_t kEpoch = std::uint64_t{1} << 32;

bool parse_xid(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc{} && end == text.data() + text.size();
}

// The 64-bit xid of a 32-bit one: the one nearest to `xmax` (at most 2^31 before or after it), as
// PostgreSQL's TransactionIdPrecedes compares them. pgoutput's int32 may arrive negative (read signed).
std::uint64_t widen(std::int64_t tx_id, std::uint64_t xmax) {
  const auto raw = static_cast<std::uint64_t>(tx_id);
  if (tx_id >= 0 && raw >= kEpoch) return raw;  // a 64-bit xid already
  const auto ahead =
      static_cast<std::int32_t>(static_cast<std::uint32_t>(raw) - static_cast<std::uint32_t>(xmax));
  const std::int64_t full = static_cast<std::int64_t>(xmax) + ahead;
  return full < 0 ? 0 : static_cast<std::uint64_t>(full);
}

}  // namespace

Result<LoadedSnapshot> LoadedSnapshot::parse(std::string_view text) {
  const auto invalid = [&] {
    return Status::invalid_argument("loaded snapshot '" + std::string(text) +
                                    "' is not PostgreSQL's xmin:xmax:xip text");
  };
  const std::size_t first = text.find(':');
  const std::size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos) return invalid();
  LoadedSnapshot snapshot;
  if (!parse_xid(text.substr(0, first), snapshot.xmin) ||
      !parse_xid(text.substr(first + 1, second - first - 1), snapshot.xmax) ||
      snapshot.xmin > snapshot.xmax) {
    return invalid();
  }
  std::string_view rest = text.substr(second + 1);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::uint64_t xid = 0;
    if (!parse_xid(rest.substr(0, comma), xid) || xid < snapshot.xmin || xid >= snapshot.xmax)
      return invalid();
    snapshot.running.push_back(xid);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
    if (rest.empty()) return invalid();
  }
  std::ranges::sort(snapshot.running);
  return snapshot;
}

bool LoadedSnapshot::saw(std::int64_t tx_id) const {
  const std::uint64_t xid = widen(tx_id, xmax);
  if (xid < xmin) return true;
  if (xid >= xmax) return false;
  return !std::ranges::binary_search(running, xid);
}

}  // namespace cdc::pipeline
