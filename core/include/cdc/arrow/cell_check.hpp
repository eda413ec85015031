// Whether a Cell can be written into an Arrow column of a given type, checked when an event enters the
// buffer so a bad value is reported against its own record (topic, partition, offset, column), never later
// when a whole batch is exported.
#pragma once

#include "cdc/status.hpp"
#include "cdc/types/cell.hpp"
#include "cdc/types/column_type.hpp"

namespace cdc::arrow {

// OK for NULL, for the unchanged-TOAST placeholder (a whole column value only, never a list element) and
// for a value of the kind the column type holds within its range (SMALLINT/INTEGER/DATE fit their widths,
// a DECIMAL(p,s) unscaled value has at most p digits, list elements recursively). Otherwise a DecodeError
// such as "expected a SMALLINT value, got the integer 70000".
Status check_cell(const types::ColumnType& type, const types::Cell& cell);

}  // namespace cdc::arrow
