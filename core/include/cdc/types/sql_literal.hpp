// A decoded value written as a DuckDB SQL literal of its column type, for column DEFAULTs: the schema's
// `default` is decoded like any value, then rendered here. Only constants that render exactly get a
// literal; NULL, the TOAST placeholder and lists give nullopt.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cdc/types/cell.hpp"
#include "cdc/types/column_type.hpp"

namespace cdc::types {

std::optional<std::string> sql_literal(const Cell& cell, const ColumnType& type);

// 'text' with every ' doubled.
std::string quote_sql_string(std::string_view text);

}  // namespace cdc::types
