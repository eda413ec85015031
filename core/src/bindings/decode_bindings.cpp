#include "decode_bindings.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <string>
#include <string_view>

#include "cdc/decode/envelope_header.hpp"
#include "errors.hpp"

namespace nb = nanobind;

namespace cdc::bindings {

void bind_decode(nb::module_& module) {
  nb::class_<decode::EnvelopeHeader>(module, "EnvelopeHeader", "The header of a Debezium change event.")
      .def_prop_ro(
          "op",
          [](const decode::EnvelopeHeader& header) { return std::string(1, decode::op_code(header.op)); },
          "One of 'c', 'u', 'd', 'r', 't', 'm'.")
      .def_ro("schema", &decode::EnvelopeHeader::schema)
      .def_ro("table", &decode::EnvelopeHeader::table)
      .def_ro("lsn", &decode::EnvelopeHeader::lsn)
      .def_ro("source_ts_ms", &decode::EnvelopeHeader::source_ts_ms)
      .def("__repr__", [](const decode::EnvelopeHeader& header) {
        return "EnvelopeHeader(op='" + std::string(1, decode::op_code(header.op)) + "', schema='" +
               header.schema + "', table='" + header.table +
               "', lsn=" + (header.lsn ? std::to_string(*header.lsn) : "None") +
               ", source_ts_ms=" + std::to_string(header.source_ts_ms) + ")";
      });

  module.def(
      "decode_envelope_header",
      [](nb::bytes value) {
        return unwrap(decode::decode_envelope_header(std::string_view(value.c_str(), value.size())));
      },
      nb::arg("value"), "Decode the header of a Debezium JSON envelope; raises DecodeError if malformed.");
}

}  // namespace cdc::bindings
