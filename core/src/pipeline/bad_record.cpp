#include "cdc/pipeline/batch.hpp"

namespace cdc::pipeline {

std::string BadRecord::describe() const {
  std::string text =
      "topic '" + topic + "' partition " + std::to_string(partition) + " offset " + std::to_string(offset);
  if (!table.empty() || !column.empty()) {
    text += " (";
    if (!table.empty()) text += "table " + table;
    if (!table.empty() && !column.empty()) text += ", ";
    if (!column.empty()) text += "column '" + column + "'";
    text += ")";
  }
  return text + ": " + reason;
}

}  // namespace cdc::pipeline
