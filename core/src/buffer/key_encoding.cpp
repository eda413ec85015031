#include "cdc/buffer/key_encoding.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <variant>

namespace cdc::buffer {

namespace {

// One tag byte per alternative of Cell::value.
enum class Tag : char { kNull, kUnavailable, kBool, kInt, kDouble, kDecimal, kText, kInterval, kList };

template <typename T>
void append_raw(std::string& out, const T& value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Lengths as LEB128 varints: one byte for the short texts keys usually are.
void append_length(std::string& out, std::size_t length) {
  while (length >= 0x80) {
    out.push_back(static_cast<char>((length & 0x7F) | 0x80));
    length >>= 7;
  }
  out.push_back(static_cast<char>(length));
}

struct Encoder {
  std::string& out;

  void operator()(std::monostate) const { out.push_back(static_cast<char>(Tag::kNull)); }
  void operator()(types::Unavailable) const { out.push_back(static_cast<char>(Tag::kUnavailable)); }
  void operator()(bool value) const {
    out.push_back(static_cast<char>(Tag::kBool));
    out.push_back(value ? '\1' : '\0');
  }
  void operator()(std::int64_t value) const {
    out.push_back(static_cast<char>(Tag::kInt));
    append_raw(out, value);
  }
  void operator()(double value) const {
    out.push_back(static_cast<char>(Tag::kDouble));
    if (value == 0.0) value = 0.0;  // -0.0 == 0.0
    if (std::isnan(value)) value = std::numeric_limits<double>::quiet_NaN();
    append_raw(out, value);
  }
  void operator()(types::Int128 value) const {
    out.push_back(static_cast<char>(Tag::kDecimal));
    append_raw(out, value);
  }
  void operator()(const std::string& value) const {
    out.push_back(static_cast<char>(Tag::kText));
    append_length(out, value.size());
    out.append(value);
  }
  void operator()(const types::IntervalValue& value) const {
    out.push_back(static_cast<char>(Tag::kInterval));
    append_raw(out, value.months);
    append_raw(out, value.days);
    append_raw(out, value.nanos);
  }
  void operator()(const std::shared_ptr<const types::CellList>& list) const {
    if (list == nullptr) return (*this)(std::monostate{});
    out.push_back(static_cast<char>(Tag::kList));
    append_length(out, list->size());
    for (const types::Cell& element : *list) append_key_cell(out, element);
  }
};

}  // namespace

void append_key_cell(std::string& out, const types::Cell& cell) { std::visit(Encoder{out}, cell.value); }

std::string encode_key(const types::Row& key) {
  std::string out;
  out.reserve(key.size() * (1 + sizeof(std::int64_t)));
  for (const types::Cell& cell : key) append_key_cell(out, cell);
  return out;
}

}  // namespace cdc::buffer
