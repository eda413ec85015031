#include "cdc/arrow/table.hpp"

#include <cerrno>
#include <exception>
#include <new>
#include <string>
#include <utility>

namespace cdc::arrow {

std::int64_t Table::num_rows() const noexcept {
  std::int64_t rows = 0;
  for (const RecordBatch& batch : batches) rows += batch.length;
  return rows;
}

void export_batch(const RecordBatch& batch, ArrowArray* out) {
  auto data = std::make_shared<ArrayData>();
  data->length = batch.length;
  data->buffers.push_back(Buffer{});  // a record batch has no null rows
  data->children = batch.columns;
  export_array(std::move(data), out);
}

namespace {

// A stream's private_data: the table, the next batch to hand out and the last error's text.
struct StreamState {
  std::shared_ptr<const Table> table;
  std::size_t next = 0;
  std::string last_error;
};

StreamState& state_of(ArrowArrayStream* stream) { return *static_cast<StreamState*>(stream->private_data); }

// The callbacks are called from C: nothing may escape them, and the only failure left is memory.
int fail(ArrowArrayStream* stream, const char* what) noexcept {
  try {
    state_of(stream).last_error = what;
  } catch (...) {  // NOLINT(bugprone-empty-catch): no memory even for the message; ENOMEM says enough
  }
  return ENOMEM;
}

int get_schema(ArrowArrayStream* stream, ArrowSchema* out) noexcept {
  try {
    export_schema(state_of(stream).table->schema, out);
    return 0;
  } catch (const std::exception& error) {
    return fail(stream, error.what());
  }
}

int get_next(ArrowArrayStream* stream, ArrowArray* out) noexcept {
  try {
    StreamState& state = state_of(stream);
    if (state.next >= state.table->batches.size()) {
      out->release = nullptr;  // end of stream
      return 0;
    }
    export_batch(state.table->batches[state.next], out);
    ++state.next;
    return 0;
  } catch (const std::exception& error) {
    return fail(stream, error.what());
  }
}

const char* get_last_error(ArrowArrayStream* stream) noexcept {
  const std::string& error = state_of(stream).last_error;
  return error.empty() ? nullptr : error.c_str();
}

void release_stream(ArrowArrayStream* stream) noexcept {
  if (stream == nullptr || stream->release == nullptr) return;
  std::unique_ptr<StreamState> state(static_cast<StreamState*>(stream->private_data));
  stream->release = nullptr;
  stream->private_data = nullptr;
}

}  // namespace

void export_stream(std::shared_ptr<const Table> table, ArrowArrayStream* out) {
  auto state = std::make_unique<StreamState>();
  state->table = std::move(table);
  *out = ArrowArrayStream{
      .get_schema = get_schema,
      .get_next = get_next,
      .get_last_error = get_last_error,
      .release = release_stream,
      .private_data = state.release(),
  };
}

}  // namespace cdc::arrow
