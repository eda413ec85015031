// A finished, immutable Arrow column (or struct of columns) in the layouts of the Arrow columnar format, and
// its export through the C data interface.
//
// Ownership: an ArrayData is shared (std::shared_ptr<const ArrayData>). Each exported ArrowArray holds one
// reference until its release callback runs, so one finished column can be exported any number of times
// without copying, and the consumer (DuckDB, pyarrow) decides when the memory goes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "cdc/arrow/c_abi.hpp"

namespace cdc::arrow {

// One contiguous buffer of an array (validity bitmap, offsets, values). operator new aligns it to 16 bytes,
// enough for every type we produce (decimal128 and month_day_nano included).
using Buffer = std::vector<std::uint8_t>;

struct ArrayData {
  std::int64_t length = 0;
  std::int64_t null_count = 0;
  // In the layout's order. buffers[0] is always the validity bitmap (every layout we produce has one); it is
  // exported as a null pointer when null_count is 0. Other empty buffers export a pointer to zeroed memory,
  // because some consumers dereference a zero-length offsets/values buffer.
  std::vector<Buffer> buffers;
  std::vector<std::shared_ptr<const ArrayData>> children;
};

// Fills `out` (whose previous contents are ignored) with an ArrowArray sharing `data`; the caller owns `out`
// and must release it. Never fails except by std::bad_alloc.
void export_array(std::shared_ptr<const ArrayData> data, ArrowArray* out);

}  // namespace cdc::arrow
