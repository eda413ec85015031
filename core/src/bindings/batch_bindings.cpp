#include "batch_bindings.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arrow_bindings.hpp"
#include "cdc/pipeline/table_export.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

namespace {

using Counts = std::map<std::string, std::int64_t>;

Counts counts_of(const buffer::OpCounts& counts) {
  return {{"c", counts.creates},          {"u", counts.updates},
          {"d", counts.deletes},          {"r", counts.reads},
          {"t", counts.truncates},        {"dup", counts.duplicates},
          {"unapplied", counts.unapplied}};
}

buffer::OpCounts op_counts(const Counts& counts) {
  auto get = [&](const char* op) {
    auto found = counts.find(op);
    return found == counts.end() ? std::int64_t{0} : found->second;
  };
  buffer::OpCounts out;
  out.creates = get("c");
  out.updates = get("u");
  out.deletes = get("d");
  out.reads = get("r");
  out.truncates = get("t");
  out.duplicates = get("dup");
  out.unapplied = get("unapplied");
  return out;
}

void bind_column(nb::module_& module) {
  nb::class_<pipeline::Column>(module, "Column", "One source column as the batch's schema describes it.")
      .def(
          "__init__",
          [](pipeline::Column* self, std::string name, std::string duck_type, bool nullable,
             std::optional<std::string> default_sql, bool key) {
            new (self) pipeline::Column{std::move(name), std::move(duck_type), nullable,
                                        std::move(default_sql), key};
          },
          nb::arg("name"), nb::arg("duck_type"), nb::arg("nullable") = true,
          nb::arg("default_sql") = nb::none(), nb::arg("key") = false)
      .def_ro("name", &pipeline::Column::name, "exact source spelling; always quoted in SQL")
      .def_ro("duck_type", &pipeline::Column::duck_type,
              "DuckDB type text: 'DECIMAL(10,2)', 'INTEGER[]', ...")
      .def_ro("nullable", &pipeline::Column::nullable)
      .def_ro("default_sql", &pipeline::Column::default_sql,
              "SQL literal of a constant source DEFAULT, for ADD COLUMN ... DEFAULT")
      .def_ro("key", &pipeline::Column::key)
      .def(
          "__eq__",
          [](const pipeline::Column& self, nb::handle other) {
            return nb::isinstance<pipeline::Column>(other) &&
                   self == nb::cast<const pipeline::Column&>(other);
          },
          nb::sig("def __eq__(self, other: object, /) -> bool"))
      .def("__hash__", [](const pipeline::Column& self) { return pipeline::schema_fingerprint({self}, {}); })
      .def("__repr__", [](const pipeline::Column& column) {
        return "Column(name='" + column.name + "', duck_type='" + column.duck_type + "')";
      });
}

void bind_records(nb::module_& module) {
  nb::class_<pipeline::BadRecord>(module, "BadRecord", "A record that could not be decoded or applied.")
      .def(
          "__init__",
          [](pipeline::BadRecord* self, std::string topic, std::int32_t partition, std::int64_t offset,
             std::string table, std::string column, std::string reason) {
            new (self) pipeline::BadRecord{std::move(topic), partition,         offset,
                                           std::move(table), std::move(column), std::move(reason)};
          },
          nb::arg("topic"), nb::arg("partition"), nb::arg("offset"), nb::arg("table"), nb::arg("column"),
          nb::arg("reason"))
      .def_ro("topic", &pipeline::BadRecord::topic)
      .def_ro("partition", &pipeline::BadRecord::partition)
      .def_ro("offset", &pipeline::BadRecord::offset)
      .def_ro("table", &pipeline::BadRecord::table, "schema.table when known, else ''")
      .def_ro("column", &pipeline::BadRecord::column, "when the problem is one column's value, else ''")
      .def_ro("reason", &pipeline::BadRecord::reason)
      .def("describe", &pipeline::BadRecord::describe)
      .def("__str__", &pipeline::BadRecord::describe);

  nb::class_<pipeline::DroppedEvents>(
      module, "DroppedEvents",
      "Events of one table a batch consumed but dropped (see pipeline/position_filter.hpp).")
      .def(
          "__init__",
          [](pipeline::DroppedEvents* self, std::string table, std::string topic, std::int64_t duplicates,
             std::int64_t unapplied) {
            new (self) pipeline::DroppedEvents{std::move(table), std::move(topic), duplicates, unapplied};
          },
          nb::arg("table"), nb::arg("topic"), nb::arg("duplicates"), nb::arg("unapplied"))
      .def_ro("table", &pipeline::DroppedEvents::table, "schema.table")
      .def_ro("topic", &pipeline::DroppedEvents::topic)
      .def_ro("duplicates", &pipeline::DroppedEvents::duplicates,
              "redelivered events at or below the table's applied position")
      .def_ro("unapplied", &pipeline::DroppedEvents::unapplied,
              "updates/deletes of a keyless table without a before-image (not REPLICA IDENTITY FULL)");
}

// Built in Python (tests, tools): `deletes`/`upserts` are any Arrow PyCapsule streams or None; the
// fingerprint is computed here as the core computes it for a decoded batch.
void init_table_batch(PyTableBatch* self, std::string topic, std::string source_schema,
                      std::string source_table, std::vector<pipeline::Column> columns,
                      std::vector<std::string> key_columns, bool truncate, bool snapshot_started,
                      nb::object deletes, nb::object upserts, std::vector<std::string> unavailable,
                      std::optional<std::int64_t> last_lsn, std::optional<std::int64_t> last_source_ts_ms,
                      std::optional<std::int64_t> last_commit_lsn, std::optional<std::int64_t> last_event_lsn,
                      std::optional<std::int64_t> last_tx_id, const Counts& counts) {
  auto* batch = new (self) PyTableBatch();
  batch->topic = std::move(topic);
  batch->source_schema = std::move(source_schema);
  batch->source_table = std::move(source_table);
  batch->schema_fingerprint = pipeline::schema_fingerprint(columns, key_columns);
  batch->columns = std::move(columns);
  batch->key_columns = std::move(key_columns);
  batch->truncate = truncate;
  batch->snapshot_started = snapshot_started;
  batch->deletes_stream = std::move(deletes);
  batch->upserts_stream = std::move(upserts);
  batch->unavailable = std::move(unavailable);
  batch->last_lsn = last_lsn;
  batch->last_source_ts_ms = last_source_ts_ms;
  batch->last_commit_lsn = last_commit_lsn;
  batch->last_event_lsn = last_event_lsn;
  batch->last_tx_id = last_tx_id;
  batch->counts = op_counts(counts);
}

void bind_table_batch(nb::module_& module) {
  using pipeline::TableBatch;
  nb::class_<PyTableBatch>(
      module, "TableBatch",
      "The coalesced final state of one source table's changes in one batch. Apply truncate (every row "
      "goes), then deletes (by key), then upserts (replace the row with that key, or insert it); see "
      "cdc_pipeline.sink.batch.")
      .def("__init__", &init_table_batch, nb::arg("topic"), nb::arg("source_schema"), nb::arg("source_table"),
           nb::arg("columns"), nb::arg("key_columns"), nb::kw_only(), nb::arg("truncate") = false,
           nb::arg("snapshot_started") = false, nb::arg("deletes").none() = nb::none(),
           nb::arg("upserts").none() = nb::none(), nb::arg("unavailable") = std::vector<std::string>{},
           nb::arg("last_lsn") = nb::none(), nb::arg("last_source_ts_ms") = nb::none(),
           nb::arg("last_commit_lsn") = nb::none(), nb::arg("last_event_lsn") = nb::none(),
           nb::arg("last_tx_id") = nb::none(), nb::arg("counts") = Counts{},
           nb::sig("def __init__(self, topic: str, source_schema: str, source_table: str, columns: "
                   "list[Column], key_columns: list[str], *, truncate: bool = False, snapshot_started: bool "
                   "= False, deletes: cdc_pipeline.arrow_stream.ArrowStreamLike | None = None, upserts: "
                   "cdc_pipeline.arrow_stream.ArrowStreamLike | None = None, "
                   "unavailable: list[str] = [], last_lsn: int | None = None, last_source_ts_ms: int | None "
                   "= None, last_commit_lsn: int | None = None, last_event_lsn: int | None = None, "
                   "last_tx_id: int | None = None, counts: dict[str, int] = {}) -> None"))
      .def_ro("topic", &TableBatch::topic)
      .def_ro("source_schema", &TableBatch::source_schema)
      .def_ro("source_table", &TableBatch::source_table)
      .def_ro("columns", &TableBatch::columns)
      .def_ro("key_columns", &TableBatch::key_columns, "empty for a table without a key")
      .def_ro("schema_fingerprint", &TableBatch::schema_fingerprint,
              "hash of columns and key_columns: equal means the same DDL/DML plan (0: no schema)")
      .def_ro("truncate", &TableBatch::truncate)
      .def_ro("snapshot_started", &TableBatch::snapshot_started,
              "the table's snapshot (re)started in this batch: it replaces the table")
      .def_ro(
          "deletes", &PyTableBatch::deletes_stream,
          nb::for_getter(nb::sig("def deletes(self, /) -> cdc_pipeline.arrow_stream.ArrowStreamLike | None")),
          "key columns (keyed tables) or full before-images (keyless); None when nothing is deleted")
      .def_ro(
          "upserts", &PyTableBatch::upserts_stream,
          nb::for_getter(nb::sig("def upserts(self, /) -> cdc_pipeline.arrow_stream.ArrowStreamLike | None")),
          "every column, then a boolean unavailable_mask_name(i) per column named in unavailable")
      .def_ro("unavailable", &TableBatch::unavailable,
              "columns holding the unchanged-TOAST placeholder in some row (the DuckDB value is kept)")
      .def_ro("last_lsn", &TableBatch::last_lsn)
      .def_ro("last_source_ts_ms", &TableBatch::last_source_ts_ms)
      .def_ro("last_commit_lsn", &TableBatch::last_commit_lsn,
              "highest source position (commit LSN) among the streaming events; None for snapshot reads")
      .def_ro("last_event_lsn", &TableBatch::last_event_lsn)
      .def_ro("last_tx_id", &TableBatch::last_tx_id)
      .def_prop_ro(
          "counts", [](const PyTableBatch& table) { return counts_of(table.counts); },
          "events per op: c, u, d, r, t; dup = redelivered duplicates skipped; unapplied = keyless "
          "updates/deletes without a before-image")
      .def("__repr__", [](const PyTableBatch& table) {
        return "TableBatch(topic='" + table.topic + "', columns=" + std::to_string(table.columns.size()) +
               ", truncate=" + (table.truncate ? "True" : "False") + ")";
      });
}

void bind_batch_class(nb::module_& module) {
  nb::class_<PyBatch>(module, "Batch",
                      "One batch: the changes per table (first-seen order) and the next offset of every "
                      "partition read.")
      .def(
          "__init__",
          [](PyBatch* self, std::int64_t events, std::int64_t bytes, std::vector<PyTableBatch> tables,
             std::vector<std::tuple<std::string, std::int32_t, std::int64_t>> offsets,
             std::optional<pipeline::BadRecord> error, std::vector<pipeline::BadRecord> dead_letters,
             std::vector<pipeline::DroppedEvents> dropped) {
            new (self) PyBatch{events,
                               bytes,
                               std::move(tables),
                               std::move(offsets),
                               std::move(error),
                               std::move(dead_letters),
                               std::move(dropped)};
          },
          nb::arg("events"), nb::arg("bytes"), nb::arg("tables"), nb::arg("offsets"),
          nb::arg("error") = nb::none(), nb::arg("dead_letters") = std::vector<pipeline::BadRecord>{},
          nb::arg("dropped") = std::vector<pipeline::DroppedEvents>{})
      .def_ro("events", &PyBatch::events, "records consumed: changes, tombstones, skips, dead-lettered")
      .def_ro("bytes", &PyBatch::bytes, "their key + value bytes")
      .def_ro("tables", &PyBatch::tables, "in the order their first event arrived")
      .def_ro("offsets", &PyBatch::offsets, "(topic, partition, next offset) of every partition read")
      .def_ro("error", &PyBatch::error, "policy stop: the batch ends before this record")
      .def_ro("dead_letters", &PyBatch::dead_letters,
              "records sent to the dead-letter topic, with their reasons")
      .def_ro("dropped", &PyBatch::dropped, "tables with dropped events, first-seen order")
      .def("__repr__", [](const PyBatch& batch) {
        return "Batch(events=" + std::to_string(batch.events) +
               ", tables=" + std::to_string(batch.tables.size()) +
               ", error=" + (batch.error ? "'" + batch.error->describe() + "'" : std::string("None")) + ")";
      });
}

}  // namespace

PyBatch to_python(pipeline::Batch&& batch) {
  PyBatch out;
  out.events = batch.events;
  out.bytes = batch.bytes;
  out.dead_letters = std::move(batch.dead_letters);
  out.error = std::move(batch.error);
  out.dropped = std::move(batch.dropped);
  out.offsets.reserve(batch.offsets.size());
  for (auto& position : batch.offsets)
    out.offsets.emplace_back(std::move(position.topic), position.partition, position.offset);
  out.tables.reserve(batch.tables.size());
  for (auto& table : batch.tables) {
    PyTableBatch& py = out.tables.emplace_back();
    py.deletes_stream = arrow_stream_or_none(table.deletes);
    py.upserts_stream = arrow_stream_or_none(table.upserts);
    table.deletes.reset();
    table.upserts.reset();
    static_cast<pipeline::TableBatch&>(py) = std::move(table);
  }
  return out;
}

void bind_batch(nb::module_& module) {
  bind_column(module);
  bind_records(module);
  bind_table_batch(module);
  bind_batch_class(module);
  module.def(
      "unavailable_mask_name", &pipeline::unavailable_mask_name, nb::arg("index"),
      "Name of the boolean column that marks rows whose column `index` held Debezium's unchanged-TOAST "
      "placeholder.");
}

}  // namespace cdc::bindings
