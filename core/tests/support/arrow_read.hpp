// Reading exported ArrowArrays back in the tests, and RAII holders that release what a test exported.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "cdc/arrow/c_abi.hpp"

namespace cdc::test {

struct OwnedArray {
  ArrowArray array{};
  OwnedArray() = default;
  OwnedArray(const OwnedArray&) = delete;
  OwnedArray& operator=(const OwnedArray&) = delete;
  ~OwnedArray() {
    if (array.release != nullptr) array.release(&array);
  }
};

struct OwnedSchema {
  ArrowSchema schema{};
  OwnedSchema() = default;
  OwnedSchema(const OwnedSchema&) = delete;
  OwnedSchema& operator=(const OwnedSchema&) = delete;
  ~OwnedSchema() {
    if (schema.release != nullptr) schema.release(&schema);
  }
};

struct OwnedStream {
  ArrowArrayStream stream{};
  OwnedStream() = default;
  OwnedStream(const OwnedStream&) = delete;
  OwnedStream& operator=(const OwnedStream&) = delete;
  ~OwnedStream() {
    if (stream.release != nullptr) stream.release(&stream);
  }
};

inline bool bit_at(const void* buffer, std::int64_t index) {
  const auto* bytes = static_cast<const std::uint8_t*>(buffer);
  return ((bytes[index / 8] >> (index % 8)) & 1) != 0;
}

inline bool is_valid(const ArrowArray& array, std::int64_t index) {
  return array.buffers[0] == nullptr || bit_at(array.buffers[0], array.offset + index);
}

template <typename T>
T value_at(const ArrowArray& array, std::int64_t index) {
  T value;
  std::memcpy(&value, static_cast<const std::uint8_t*>(array.buffers[1]) + (array.offset + index) * sizeof(T),
              sizeof(T));
  return value;
}

inline std::int32_t offset_at(const ArrowArray& array, std::int64_t index) {
  return value_at<std::int32_t>(array, index);
}

inline std::string string_at(const ArrowArray& array, std::int64_t index) {
  const std::int32_t begin = offset_at(array, index);
  const std::int32_t end = offset_at(array, index + 1);
  return std::string(static_cast<const char*>(array.buffers[2]) + begin,
                     static_cast<std::size_t>(end - begin));
}

}  // namespace cdc::test
