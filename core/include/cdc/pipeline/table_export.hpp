// A table buffer's final state as a TableBatch: column descriptions and the deletes/upserts Arrow tables.
#pragma once

#include "cdc/buffer/table_buffer.hpp"
#include "cdc/pipeline/batch.hpp"
#include "cdc/status.hpp"

namespace cdc::pipeline {

// The name of the mask column of column `index` (Python: _core.unavailable_mask_name).
std::string unavailable_mask_name(std::size_t index);

// Exports `buffer`. Upserts carry every column plus a mask column for each column holding the
// unchanged-TOAST placeholder in some row; deletes carry the key columns (keyed tables) or every column
// (keyless). Fails only on a cell that does not fit its column (callers check cells as events arrive).
Result<TableBatch> export_table(const buffer::TableBuffer& buffer);

}  // namespace cdc::pipeline
