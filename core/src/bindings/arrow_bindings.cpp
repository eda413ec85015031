#include "arrow_bindings.hpp"

#include <string>

#include "cdc/arrow/c_abi.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

namespace {

// The capsule name the PyCapsule interface requires; PyCapsule keeps the pointer, so it must be static.
constexpr const char* kStreamCapsuleName = "arrow_array_stream";

// Frees the struct; releases the stream first unless a consumer took it (and nulled its release).
void release_stream_capsule(void* pointer) noexcept {
  auto* stream = static_cast<ArrowArrayStream*>(pointer);
  if (stream->release != nullptr) stream->release(stream);
  delete stream;  // NOLINT(cppcoreguidelines-owning-memory): allocated in export_capsule
}

nb::object export_capsule(const PyArrowStream& self) {
  auto stream = std::make_unique<ArrowArrayStream>();
  arrow::export_stream(self.table, stream.get());
  nb::capsule capsule(stream.get(), kStreamCapsuleName, release_stream_capsule);
  static_cast<void>(stream.release());  // owned by the capsule now
  return capsule;
}

}  // namespace

nb::object arrow_stream_or_none(const std::shared_ptr<const arrow::Table>& table) {
  if (table == nullptr) return nb::none();
  return nb::cast(PyArrowStream{table});
}

void bind_arrow(nb::module_& module) {
  nb::class_<PyArrowStream>(
      module, "ArrowStream",
      "Rows exported by the core, readable through the Arrow PyCapsule stream interface.")
      .def(
          "__arrow_c_stream__",
          [](const PyArrowStream& self, nb::handle /*requested_schema*/) { return export_capsule(self); },
          nb::arg("requested_schema") = nb::none(),
          "A PyCapsule 'arrow_array_stream' over the rows; requested_schema is ignored (the schema is "
          "fixed).")
      .def_prop_ro("num_rows", [](const PyArrowStream& self) { return self.table->num_rows(); })
      .def_prop_ro("num_chunks", [](const PyArrowStream& self) { return self.table->batches.size(); })
      .def_prop_ro(
          "column_names",
          [](const PyArrowStream& self) {
            nb::list names;
            for (const arrow::Field& field : self.table->schema.children) names.append(field.name);
            return names;
          },
          nb::for_getter(nb::sig("def column_names(self, /) -> list[str]")))
      .def(
          "__repr__",
          [](const PyArrowStream& self) {
            return "ArrowStream(num_rows=" + std::to_string(self.table->num_rows()) +
                   ", num_columns=" + std::to_string(self.table->schema.children.size()) + ")";
          },
          nb::sig("def __repr__(self, /) -> str"));
}

}  // namespace cdc::bindings
