// Bit-packed buffers (private to src/arrow): validity bitmaps and boolean values, least significant bit
// first as the Arrow format requires.
#pragma once

#include <cstdint>
#include <utility>

#include "cdc/arrow/array_data.hpp"

namespace cdc::arrow::detail {

class BitmapBuilder {
 public:
  void append(bool bit) {
    const auto position = static_cast<unsigned>(length_ & 7);
    if (position == 0) bytes_.push_back(0);
    if (bit) bytes_.back() = static_cast<std::uint8_t>(bytes_.back() | (1U << position));
    ++length_;
  }
  void reserve(std::size_t bits) { bytes_.reserve((bits + 7) / 8); }
  [[nodiscard]] std::int64_t length() const noexcept { return length_; }

  Buffer finish() {
    length_ = 0;
    return std::exchange(bytes_, Buffer{});
  }

 private:
  Buffer bytes_;
  std::int64_t length_ = 0;
};

// A validity bitmap plus its null count; finish() drops the bitmap when nothing was null.
class ValidityBuilder {
 public:
  void append(bool valid) {
    bits_.append(valid);
    if (!valid) ++null_count_;
  }
  void reserve(std::size_t slots) { bits_.reserve(slots); }
  [[nodiscard]] std::int64_t length() const noexcept { return bits_.length(); }
  [[nodiscard]] std::int64_t null_count() const noexcept { return null_count_; }

  // Fills length, null_count and buffers[0] of `out`.
  void finish_into(ArrayData& out) {
    out.length = bits_.length();
    out.null_count = std::exchange(null_count_, 0);
    Buffer bitmap = bits_.finish();
    if (out.null_count == 0) bitmap = Buffer{};  // no nulls: no bitmap (exported as a null pointer)
    out.buffers.insert(out.buffers.begin(), std::move(bitmap));
  }

 private:
  BitmapBuilder bits_;
  std::int64_t null_count_ = 0;
};

}  // namespace cdc::arrow::detail
