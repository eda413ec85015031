// The identity of a row within a batch: its key cells encoded into a compact byte string, hashed by the
// table buffer. The encoding is type-tagged (the integer 1 and the text "1" differ) and length-prefixed
// (("ab","c") and ("a","bc") differ), so equal encodings mean equal keys.
#pragma once

#include <string>

#include "cdc/types/cell.hpp"

namespace cdc::buffer {

// Appends one cell's encoding to `out`. Floats compare as PostgreSQL does: -0.0 equals 0.0, NaN equals NaN.
void append_key_cell(std::string& out, const types::Cell& cell);

// The encoding of a whole key (its cells in key order).
std::string encode_key(const types::Row& key);

}  // namespace cdc::buffer
