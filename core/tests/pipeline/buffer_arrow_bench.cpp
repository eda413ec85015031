// Not a test: the throughput of coalescing (BatchAssembler: cell checks + TableBuffer) and Arrow export for
// synthetic events, 10 columns each. Run by hand on a Release build:  cdc_buffer_arrow_bench [events]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cdc/pipeline/batch_assembler.hpp"
#include "cdc/pipeline/table_export.hpp"
#include "support/events.hpp"

namespace {

using namespace cdc;        // NOLINT(google-build-using-namespace)
using namespace cdc::test;  // NOLINT(google-build-using-namespace)
using Clock = std::chrono::steady_clock;

std::shared_ptr<const decode::TableSchema> wide_schema() {
  using types::Kind;
  return make_schema({field("id", type_of(Kind::kInt64)), field("qty", type_of(Kind::kInt32)),
                      field("flags", type_of(Kind::kInt16)), field("price", type_of(Kind::kFloat64)),
                      field("active", type_of(Kind::kBoolean)), field("sku", type_of(Kind::kVarchar)),
                      field("note", type_of(Kind::kVarchar)), field("created", type_of(Kind::kTimestamp)),
                      field("amount", decimal_type(12, 2)), field("day", type_of(Kind::kDate))},
                     {0});
}

std::vector<decode::ChangeEvent> make_events(std::size_t count, std::size_t distinct_keys) {
  auto schema = wide_schema();
  std::vector<decode::ChangeEvent> events;
  events.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto id = static_cast<std::int64_t>(i % distinct_keys);
    decode::ChangeEvent event;
    event.kind = i < distinct_keys ? decode::EventKind::kCreate : decode::EventKind::kUpdate;
    event.topic = "dbserver1.public.orders";
    event.source_schema = "public";
    event.source_table = "orders";
    event.offset = static_cast<std::int64_t>(i);
    event.schema = schema;
    event.key = {int_cell(id)};
    event.row = {int_cell(id),
                 int_cell(static_cast<std::int64_t>(i % 1000)),
                 int_cell(static_cast<std::int64_t>(i % 7)),
                 real(static_cast<double>(i) * 0.25),
                 boolean(i % 2 == 0),
                 text("SKU-" + std::to_string(100000 + i % 90000)),
                 text("note for order " + std::to_string(i) + " with some words"),
                 int_cell(1'700'000'000'000'000 + static_cast<std::int64_t>(i)),
                 decimal(static_cast<types::Int128>(i) * 101),
                 int_cell(19000 + static_cast<std::int64_t>(i % 365))};
    event.lsn = static_cast<std::int64_t>(i);
    event.bytes = 600;
    events.push_back(std::move(event));
  }
  return events;
}

// The assembler's work for one table, timed in three parts: add (cell checks + coalescing), export (Arrow),
// free (dropping the buffered rows once exported).
void run(const char* label, std::size_t count, std::size_t distinct_keys) {
  std::vector<decode::ChangeEvent> events = make_events(count, distinct_keys);
  auto table = std::make_unique<buffer::TableBuffer>("dbserver1.public.orders", "public", "orders");
  const auto start = Clock::now();
  for (decode::ChangeEvent& event : events) {
    if (!pipeline::check_cells(event).error.is_ok()) std::abort();
    if (!table->add(std::move(event)).is_ok()) std::abort();
  }
  const auto added = Clock::now();
  Result<pipeline::TableBatch> batch = pipeline::export_table(*table);
  const auto exported = Clock::now();
  table.reset();
  const auto freed = Clock::now();
  if (!batch.is_ok()) std::abort();
  const double add_s = std::chrono::duration<double>(added - start).count();
  const double export_s = std::chrono::duration<double>(exported - added).count();
  const double free_s = std::chrono::duration<double>(freed - exported).count();
  const auto rows = static_cast<double>(batch->upserts->num_rows());
  const auto total = static_cast<double>(count);
  std::printf(
      "%-28s %8zu events -> %8.0f rows | add %.3f s (%.2f M ev/s) | export %.3f s (%.2f M rows/s) | "
      "free %.3f s | all %.2f M ev/s\n",
      label, count, rows, add_s, total / add_s / 1e6, export_s, rows / export_s / 1e6, free_s,
      total / (add_s + export_s + free_s) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  run("all inserts (distinct keys)", count, count);
  run("10 updates per key", count, count / 10);
  return 0;
}
