// The one contract between the core and Python: pipeline::Batch and its parts (batch.hpp) as _core.Batch,
// _core.TableBatch, _core.Column, _core.BadRecord and _core.DroppedEvents, used by the sink directly.
//
// A batch the core decoded carries its Arrow tables as _core.ArrowStream; one built in Python (the tests'
// fake sources, tools) carries any object with __arrow_c_stream__. So the Python side of a table batch holds
// its two streams as Python objects beside the core's struct, and a Batch holds such table batches.
#pragma once

#include <nanobind/nanobind.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cdc/pipeline/batch.hpp"

namespace cdc::bindings {

struct PyTableBatch : pipeline::TableBatch {  // deletes/upserts of the base stay null
  nanobind::object deletes_stream = nanobind::none();
  nanobind::object upserts_stream = nanobind::none();
};

struct PyBatch {
  std::int64_t events = 0;
  std::int64_t bytes = 0;
  std::vector<PyTableBatch> tables;
  std::vector<std::tuple<std::string, std::int32_t, std::int64_t>> offsets;  // topic, partition, next offset
  std::optional<pipeline::BadRecord> error;
  std::vector<pipeline::BadRecord> dead_letters;
  std::vector<pipeline::DroppedEvents> dropped;
};

// The core's batch as Python's (moves the tables; the GIL must be held).
PyBatch to_python(pipeline::Batch&& batch);

void bind_batch(nanobind::module_& module);

}  // namespace cdc::bindings
