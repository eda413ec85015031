// Python side of the Arrow export: _core.ArrowStream, an object with __arrow_c_stream__ (the Arrow PyCapsule
// interface) over a finished table, so DuckDB and pyarrow read it without a row passing through Python.
#pragma once

#include <nanobind/nanobind.h>

#include <memory>

#include "cdc/arrow/table.hpp"

namespace cdc::bindings {

// Holds one finished table; every __arrow_c_stream__ call exports a new stream sharing it (no copy), so
// the object can be read more than once (DuckDB asks twice: once for the schema, once to scan).
struct PyArrowStream {
  std::shared_ptr<const arrow::Table> table;
};

void bind_arrow(nanobind::module_& module);

// None for a null table, else an ArrowStream.
nanobind::object arrow_stream_or_none(const std::shared_ptr<const arrow::Table>& table);

}  // namespace cdc::bindings
